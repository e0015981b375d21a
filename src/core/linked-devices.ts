/**
 * Devices of one user, tied by `identify`: the user's profile is stored
 * under `user:` + the user's pseudonym (the canonical id of the identity
 * links; the prefix keeps it apart from visitor profiles) as the
 * join of every linked device's replicas (profile/device-replicas.ts), and a
 * decision for any of those devices reads its own profile joined with it.
 *
 * - `contribute`: after ingest for a linked device, its profile (re-keyed to
 *   its replicas) is merged into the user's profile. A merge by max on
 *   replicas only that device writes: replayed or repeated, it adds nothing.
 * - `view`: the profile a decision reads. Only visitors who identified pay a
 *   store read (the link, then the user's profile), and both are cached here
 *   for a few seconds.
 * - `unlink` / `rebuild`: a CRDT cannot take a device back out, so the user's
 *   profile is rebuilt from the devices still linked (deleted when none is).
 *   Erasure of a device rebuilds it the same way.
 *
 * Two nodes that both contribute converge (it is a join); a contribution
 * racing an unlink on another node may put the unlinked device's part back
 * until that device's next contribution finds no link, so `unlink` rebuilds
 * after removing the link, not before.
 * @module
 */
import { LruCache } from './cache/index.js';
import type { Logger, ProfileStore } from './ports.js';
import { asDeviceReplica, joinDevices, linkedView } from './profile/device-replicas.js';
import { isErased } from './profile/index.js';
import type { Profile } from './types.js';

export interface LinkedDevicesOptions {
  /** The store as the engine reads it (waits for profiles written behind). */
  store: ProfileStore;
  now: () => number;
  logger: Logger;
  /** How long a link and a user's profile are reused before the store is asked again (ms). */
  cacheMs?: number;
}

/** Store keys of users' profiles start with this. */
export const USER_PROFILE_PREFIX = 'user:';

/** The store key of the profile of the user with this canonical id (pseudonym). */
export function userProfileKey(canonical: string): string {
  return USER_PROFILE_PREFIX + canonical;
}

interface Cached<T> {
  value: T;
  at: number;
}

export class LinkedDevices {
  /** Device → the user it is linked to (or none), as last read. */
  private readonly links = new LruCache<string, Cached<string | undefined>>({ maxEntries: 20_000 });
  /** User → the user's profile, as last read or written here (every device of the user reads the same entry). */
  private readonly users = new LruCache<string, Cached<Profile | undefined>>({ maxEntries: 20_000 });
  private readonly cacheMs: number;

  constructor(private readonly o: LinkedDevicesOptions) {
    this.cacheMs = o.cacheMs ?? 5_000;
  }

  /**
   * The profile a decision for `device` should read. `own` is the device's
   * profile; `fromCookie`: it was rebuilt from the digest cookie, which does
   * not say whether the device identified (a stored profile does: its user id).
   */
  async view(
    device: string,
    own: Profile | undefined,
    fromCookie: boolean,
    log: Logger = this.o.logger,
  ): Promise<Profile | undefined> {
    if (!own || (!fromCookie && own.userId === undefined)) return own;
    try {
      const canonical = await this.canonical(device);
      const user = canonical !== undefined ? await this.user(canonical) : undefined;
      return user ? linkedView(own, device, user) : own;
    } catch (e) {
      // A store that does not answer never fails a page: the device's own profile still serves.
      log.warn('[tessera] [identity] linked profile read failed', { error: String(e) });
      return own;
    }
  }

  /** A linked device's profile changed: merge its replicas into the user's profile. */
  async contribute(device: string, own: Profile, canonicalHint?: string): Promise<void> {
    if (isErased(own) || (canonicalHint === undefined && own.userId === undefined)) return;
    const canonical = canonicalHint ?? (await this.o.store.resolve(device));
    if (canonical === undefined || canonical === device) return;
    const user = await this.o.store.merge(userProfileKey(canonical), asDeviceReplica(own, device));
    const at = this.o.now();
    this.links.set(device, { value: canonical, at });
    this.users.set(canonical, { value: user, at });
  }

  /** Take `device` out of its user: drop the link, then rebuild the user's profile from the rest. */
  async unlink(device: string): Promise<{ canonical: string | undefined; devices: number }> {
    const canonical = await this.o.store.resolve(device);
    await this.o.store.unlink(device);
    this.links.delete(device);
    if (canonical === undefined) return { canonical, devices: 0 };
    return { canonical, devices: await this.rebuild(canonical) };
  }

  /** Rebuild the user's profile from the devices linked to it now; delete it when none is left. */
  async rebuild(canonical: string): Promise<number> {
    const devices = await this.o.store.aliases(canonical);
    const profiles: Array<[string, Profile]> = [];
    for (const d of devices) {
      const p = await this.o.store.get(d);
      if (p && !isErased(p)) profiles.push([d, p]);
    }
    await this.o.store.delete(userProfileKey(canonical));
    this.users.delete(canonical);
    if (profiles.length > 0)
      await this.o.store.merge(userProfileKey(canonical), joinDevices(profiles, this.o.now()));
    return profiles.length;
  }

  /** Forget what this node cached about a device (erased or unlinked elsewhere). */
  forget(device: string): void {
    this.links.delete(device);
  }

  private async canonical(device: string): Promise<string | undefined> {
    return this.cachedRead(this.links, device, () => this.o.store.resolve(device));
  }

  private async user(canonical: string): Promise<Profile | undefined> {
    return this.cachedRead(this.users, canonical, async () => {
      const p = await this.o.store.get(userProfileKey(canonical));
      return p && !isErased(p) ? p : undefined;
    });
  }

  private async cachedRead<T>(
    cache: LruCache<string, Cached<T>>,
    key: string,
    read: () => Promise<T>,
  ): Promise<T> {
    const now = this.o.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < this.cacheMs) return hit.value;
    const value = await read();
    cache.set(key, { value, at: now });
    return value;
  }
}
