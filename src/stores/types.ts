/**
 * What every profile-store driver factory returns: the profile store and the
 * event log it keeps side by side, and one `close()` for both.
 * @module
 */
import type { EventLog, ProfileStore } from '../core/ports.js';

export interface Stores {
  profiles: ProfileStore;
  events: EventLog;
  /** Closes both parts and releases the backend. Safe to call twice. */
  close(): Promise<void>;
}
