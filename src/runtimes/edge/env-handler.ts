/**
 * One fetch handler from environment variables, for the runtimes that have
 * an environment but no bindings (Deno, Bun, Vercel Edge, Fastly Compute):
 * the same `TESSERA_*` names as the Worker (env-keys.ts), the site and the
 * stores passed in by the runtime's own wiring. Profiles are encrypted at
 * rest with the key ring unless `TESSERA_ENCRYPT_AT_REST=false`; the store
 * factory receives the codec to use.
 * @module
 */
import type { CatalogItem, ConsentMode, SiteConfig } from '../../core/config.js';
import type { EnginePorts } from '../../core/engine.js';
import type { Origin, StaticAsset } from '../../core/http/engine-state.js';
import { privacyRoute } from '../../core/privacy/index.js';
import { parseSiteConfig } from '../../core/segments/index.js';
import type { AsyncProfileCodec } from '../../profiles/async-profile-codec.js';
import { atRestCodecFromEnv, type KeyEnv, keyRingFromEnv } from '../cloudflare/env-keys.js';
import { createFetchHandler, type FetchHandler } from '../cloudflare/handler.js';

export interface EdgeEnv extends KeyEnv {
  TESSERA_CONSENT_MODE?: string;
  TESSERA_SECURE_COOKIES?: string;
  TESSERA_NODE_ID?: string;
  TESSERA_ALLOWED_ORIGINS?: string;
}

export interface EdgeSite {
  site: SiteConfig | unknown;
  catalog: readonly CatalogItem[];
  origin?: Origin;
  assets?: Record<string, StaticAsset>;
}

export interface EdgeHandlerOptions {
  env: EdgeEnv;
  site: EdgeSite;
  /** The runtime's drivers; `profiles` gets the at-rest codec (undefined: plain). */
  ports: (codec: AsyncProfileCodec | undefined) => Partial<EnginePorts>;
  model?: ArrayBuffer | (() => Promise<ArrayBuffer | undefined>);
  /** Default node id prefix (a random suffix is added: one writer per process or isolate). */
  node: string;
}

export function createEdgeHandler(o: EdgeHandlerOptions): FetchHandler {
  const { env } = o;
  const ring = keyRingFromEnv(env);
  if (!ring) throw new Error('[tessera] [edge] TESSERA_SECRET (or TESSERA_KEYS) is not set');
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) =>
    b.toString(16).padStart(2, '0'),
  );
  return createFetchHandler({
    site: parseSiteConfig(o.site.site),
    catalog: o.site.catalog,
    settings: {
      secret: ring,
      nodeId: `${env.TESSERA_NODE_ID ?? o.node}-${suffix.join('')}`,
      consentMode: (env.TESSERA_CONSENT_MODE ?? 'opt-in') as ConsentMode,
      secureCookies: env.TESSERA_SECURE_COOKIES !== 'false',
    },
    ...(env.TESSERA_ALLOWED_ORIGINS
      ? { limits: { allowedOrigins: env.TESSERA_ALLOWED_ORIGINS.split(',').map((s) => s.trim()) } }
      : {}),
    ports: {
      ...o.ports(atRestCodecFromEnv(env)),
      ...(o.site.origin ? { origin: o.site.origin } : {}),
      ...(o.site.assets ? { assets: o.site.assets } : {}),
      routes: [privacyRoute()],
    },
    ...(o.model ? { model: o.model } : {}),
  });
}
