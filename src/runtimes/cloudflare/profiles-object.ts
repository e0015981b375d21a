/**
 * The Durable Object class the Worker binds as `TESSERA_PROFILES`: the
 * store's `TesseraProfiles`, with profiles encrypted at rest by the key ring
 * of the object's own secret bindings (`TESSERA_SECRET` / `TESSERA_KEYS`).
 * @module
 */
import { plainAsyncProfileCodec } from '../../profiles/async-profile-codec.js';
import { TesseraProfiles as PlainTesseraProfiles } from '../../profiles/durable-object.js';
import { atRestCodecFromEnv, type KeyEnv } from './env-keys.js';

export class TesseraProfiles extends PlainTesseraProfiles {
  static override codecFor(env: unknown) {
    return atRestCodecFromEnv((env ?? {}) as KeyEnv) ?? plainAsyncProfileCodec;
  }
}
