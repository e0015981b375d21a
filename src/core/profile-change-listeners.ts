/**
 * Who hears about the profile changes a node makes (the bus publishes them
 * to the other nodes). A listener that throws is logged and skipped: one
 * broken subscriber must not fail the ingest that made the change.
 * @module
 */
import type { Logger } from './ports.js';
import type { ProfileChange } from './profile-service-types.js';

export class ProfileChangeListeners {
  private readonly listeners = new Set<(change: ProfileChange) => void>();

  /** Add a listener; returns its unsubscribe. */
  add(listener: (change: ProfileChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell every listener; a failure is logged on `log` (the request's logger when a request made the change). */
  emit(change: ProfileChange, log: Logger): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (e) {
        log.warn('[tessera] profile change listener failed', { error: String(e) });
      }
    }
  }
}
