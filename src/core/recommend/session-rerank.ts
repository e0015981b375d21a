/**
 * The asynchronous step after `decide()` that lets a session ranker order
 * the recommendation slots (session-ranker-port.ts). `decide()` hands it,
 * per slot the visitor's own history feeds, a longer neighbour-based list
 * (`Decision.candidates`); the ranker picks the slot's items from it, or the
 * decided list stands (over the latency budget, a failure, no click the
 * model knows) and the `recs:ranker` trace entry says why.
 *
 * A decision routed to another model than production (a canary's
 * candidate, model-router.ts) is ranked by that model's ranker, or by none
 * when it has none: `rankWith` records which, and the trace entry names the
 * version that ranked.
 *
 * Memoized per (profile version, model version that ranked): rankings are
 * kept per ranker (one per model version), under the decision memo's
 * candidate array, one per profile version and recommendation key (which
 * holds the version of the model that decided), so a ranking is reused until
 * the profile changes, the model is swapped or the memo entry expires, and a
 * canary visitor's ranking is never production's. Only model orderings are
 * kept: a fallback is cheap and must not outlive the condition that caused it.
 *
 * The variant cache key does not change: it is made of segments, arms and
 * context, never of recommendation lists, which are filled into the shell's
 * holes per request.
 * @module
 */
import type { Decision, Profile, RecommendedItem, TraceEntry } from '../types.js';
import type { SessionRanker } from './session-ranker-port.js';

const MAX_CLICKS = 10;

interface Kept {
  items: RecommendedItem[];
  trace: TraceEntry;
}

const rankings = new WeakMap<SessionRanker, WeakMap<RecommendedItem[], Kept>>();
/** Decisions made with a routed model that has its own ranker (its candidates were drawn for it). */
const routed = new WeakMap<Decision, SessionRanker>();

/** The decision was made with a model other than production's: `ranker` (that model's) orders its slots. */
export function rankWith(decision: Decision, ranker: SessionRanker): void {
  routed.set(decision, ranker);
}

/** The visitor's recent item ids, oldest first (the profile keeps them newest first). */
export function sessionClicks(profile: Profile): string[] {
  const n = Math.min(profile.recent.length, MAX_CLICKS);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[n - 1 - i] = profile.recent[i]!.item;
  return out;
}

/**
 * Re-orders `decision.recommendations` in place where the ranker takes a
 * slot; adds trace entries when `tracing`. `production`: the served model's
 * ranker, used unless the decision was routed to a model with its own.
 */
export async function rerankSlots(
  decision: Decision,
  profile: Profile,
  production: SessionRanker | undefined,
  tracing: boolean,
): Promise<void> {
  const lists = decision.candidates;
  const ranker = routed.get(decision) ?? production;
  if (!lists || !ranker) return;
  let memo = rankings.get(ranker);
  if (!memo) {
    memo = new WeakMap();
    rankings.set(ranker, memo);
  }
  let clicks: string[] | undefined;
  for (const slot in lists) {
    const candidates = lists[slot]!;
    const decided = decision.recommendations[slot];
    if (!decided || decided.length === 0) continue;
    let kept = memo.get(candidates);
    let reused = kept !== undefined;
    if (!kept) {
      clicks ??= sessionClicks(profile);
      const r = await ranker.rank(clicks, candidates, decided.length);
      if (r.items) {
        kept = { items: r.items, trace: r.trace };
        memo.set(candidates, kept);
      } else if (tracing) {
        decision.trace.push(slotEntry(slot, r.trace, false, ranker, false));
      }
      reused = false;
    }
    if (!kept) continue;
    decision.recommendations[slot] = kept.items;
    if (tracing) {
      explainRanked(decision.trace, slot, kept.items);
      decision.trace.push(slotEntry(slot, kept.trace, reused, ranker, true));
    }
  }
}

/** The slot's `recs:` entry lists what is served: the model's order, each item's sources kept where known. */
function explainRanked(trace: TraceEntry[], slot: string, items: RecommendedItem[]): void {
  const entry = trace.find((e) => e.step === `recs:${slot}`);
  const data = entry?.data;
  if (!data) return;
  const before = (data.items as Array<{ item: string }> | undefined) ?? [];
  const known = new Map(before.map((x) => [x.item, x]));
  data.neighbourOrder = before.map((x) => x.item);
  data.items = items.map((r) => ({ ...(known.get(r.item) ?? { sources: [] }), ...r }));
}

/** The ranker's entry for a slot; an ordering names the model version that ranked (a canary's differs). */
function slotEntry(
  slot: string,
  t: TraceEntry,
  reused: boolean,
  ranker: SessionRanker,
  ranked: boolean,
): TraceEntry {
  const by = ranked && ranker.version ? ` by model ${ranker.version}` : '';
  return {
    step: t.step,
    detail: `${slot}: ${t.detail}${by}${reused ? ' (kept for this profile version)' : ''}`,
    data: { ...t.data, slot, reused, ...(ranker.version ? { version: ranker.version } : {}) },
  };
}
