/**
 * The profile store as a Worker's request path sees it when the event Queue
 * has a consumer: visitors' profiles are written by the consumer alone.
 *
 * Why: the request path and the consumer would otherwise both apply the same
 * events, each under its own isolate's node id. A profile's per-node
 * counters merge by max, so two writers of one event are two counts, unless
 * the second finds the first's `seen` ids, which KV (eventually consistent,
 * writes coalesced) does not promise. With one writer, the Queue's dedupe by
 * (visitor, event id) (queue-consumer.ts) makes each event count once.
 *
 * The request path still applies events in the isolate, so its own next page
 * and the sealed digest cookie reflect them at once (read your own writes):
 * `merge` answers the profile the request path built (it started from the
 * stored profile, whose `seen` ids keep it from applying an event twice)
 * without writing it, and never mixes it with a stored copy whose counters
 * for the same events sit under the consumer's node id.
 *
 * Everything else goes through: erasure (delete, unlink, tombstones under
 * `erased:`), identity links, and users' profiles (`user:`), which unlink
 * and erasure rebuild on the request path.
 * @module
 */
import { USER_PROFILE_PREFIX } from '../../core/linked-devices.js';
import type { ProfileStore } from '../../core/ports.js';
import { TOMBSTONE_PREFIX } from '../../core/privacy/tombstones.js';

/** True for the store keys of visitors' own profiles (what the Queue consumer writes). */
export function isVisitorProfileKey(id: string): boolean {
  return !id.startsWith(TOMBSTONE_PREFIX) && !id.startsWith(USER_PROFILE_PREFIX);
}

export function consumerOwnedStore(store: ProfileStore): ProfileStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'merge') {
        const merge: ProfileStore['merge'] = (id, delta) =>
          isVisitorProfileKey(id) ? Promise.resolve(delta) : target.merge(id, delta);
        return merge;
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
