/**
 * The asynchronous step after `decide()` that lets a session ranker order
 * the recommendation slots (session-ranker-port.ts). `decide()` hands it,
 * per slot the visitor's own history feeds, a longer neighbour-based list
 * (`Decision.candidates`); the ranker picks the slot's items from it, or the
 * decided list stands (over the latency budget, a failure, no click the
 * model knows) and the `recs:ranker` trace entry says why.
 *
 * Memoized per (profile version, model version): the candidate list is the
 * decision memo's, one array per profile version and recommendation key
 * (which holds the model version), so a ranking keyed by that array is
 * reused until the profile changes, the model is swapped or the memo entry
 * expires. Only model orderings are kept: a fallback is cheap and must not
 * outlive the condition that caused it.
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

/** The visitor's recent item ids, oldest first (the profile keeps them newest first). */
export function sessionClicks(profile: Profile): string[] {
  const n = Math.min(profile.recent.length, MAX_CLICKS);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[n - 1 - i] = profile.recent[i]!.item;
  return out;
}

/** Re-orders `decision.recommendations` in place where the ranker takes a slot; adds trace entries when `tracing`. */
export async function rerankSlots(
  decision: Decision,
  profile: Profile,
  ranker: SessionRanker,
  tracing: boolean,
): Promise<void> {
  const lists = decision.candidates;
  if (!lists) return;
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
        decision.trace.push(slotEntry(slot, r.trace, false));
      }
      reused = false;
    }
    if (!kept) continue;
    decision.recommendations[slot] = kept.items;
    if (tracing) {
      explainRanked(decision.trace, slot, kept.items);
      decision.trace.push(slotEntry(slot, kept.trace, reused));
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

function slotEntry(slot: string, t: TraceEntry, reused: boolean): TraceEntry {
  return {
    step: t.step,
    detail: `${slot}: ${t.detail}${reused ? ' (kept for this profile version)' : ''}`,
    data: { ...t.data, slot, reused },
  };
}
