/**
 * The profile-store port. The interface itself lives in `core/ports.ts`,
 * because the core is written against it and must not import a driver
 * folder; it is re-exported here so a driver author finds port and drivers
 * together.
 *
 * `Stores` is what every profile-store driver factory returns: the profile
 * store and the event log it keeps side by side, and one `close()` for both.
 * @module
 */
import type { EventLog, ProfileStore } from '../core/ports.js';

export type { ProfileStore } from '../core/ports.js';
export type { ProfileCodec } from '../core/profile/index.js';

export interface Stores {
  profiles: ProfileStore;
  events: EventLog;
  /** Closes both parts and releases the backend. Safe to call twice. */
  close(): Promise<void>;
}
