/**
 * Erasure of one visitor (GDPR art. 17, CCPA "right to delete"), by the
 * admin API or by the visitor themself. `ProfileService.erase` removes the
 * stored profile, the identity links on either side of the id, the visitor's
 * events from the log and this node's cached copy, leaves an erasure
 * tombstone under a keyed hash of the id (privacy/tombstones.ts: the id can
 * never grow a profile again, even if its signed cookie comes back), then
 * announces the erasure: in a cluster that change goes out on the bus as a
 * tombstone, and every node drops its copy (and its local store's, see
 * cluster-sync.ts).
 *
 * What else could hold the visitor here: the decision memo keys derived
 * segments and recommendations by the profile object. It is a WeakMap, so an
 * entry dies with the profile, but it is replaced too, so nothing derived
 * from the erased profile can be served until the collector runs. Page
 * shells are per variant, built from the origin's HTML: no visitor data.
 * @module
 */
import { DecisionMemo } from '../decision-memo.js';
import type { EngineState } from '../http/engine-state.js';
import { readAllEvents } from '../read-log.js';

export interface ErasureResult {
  id: string;
  /** Whether anything was held before the erasure. */
  profile: boolean;
  events: number;
  links: number;
}

export async function eraseVisitor(s: EngineState, id: string): Promise<ErasureResult> {
  const [profile, canonical, aliases] = await Promise.all([
    s.store.get(id),
    s.store.resolve(id),
    s.store.aliases(id),
  ]);
  // Counted before: `erase` deletes them through the log's own method.
  let events = 0;
  for await (const _ of readAllEvents(s.log, { filter: (e) => e.visitor === id })) events++;
  await s.profiles.erase(id);
  s.memo = new DecisionMemo();
  return {
    id,
    profile: profile !== undefined,
    events,
    links: (canonical !== undefined ? 1 : 0) + aliases.length,
  };
}
