/**
 * A page decision through the host's model router (model-router.ts): the
 * router picks the artifact (the live overlay, or the candidate for a
 * visitor in the canary), the decision is timed, and the router hears how
 * it went. A decision that throws on a non-production artifact is made
 * again on production, so a broken candidate costs a guardrail count, never
 * an error page. A routed model with a ranker of its own (`ModelRoute.ranker`)
 * gets its candidate pool drawn for that ranker, which then orders the
 * decision (session-rerank.ts); one without gets no pool, so no ranker does.
 * @module
 */
import { type DecideInput, decide } from '../decide.js';
import { type ArmEffects, assignArms } from '../experiments/assign.js';
import type { ModelRouter, SlotLists } from '../model-router.js';
import { rankWith } from '../recommend/session-rerank.js';
import type { Decision } from '../types.js';

/** What `decide` assigns with when the caller gave no `assignArms`: the site's definitions as written. */
function defaultAssign(input: DecideInput): NonNullable<DecideInput['assignArms']> {
  const experiments = input.compiled.site.experiments ?? [];
  return (a) => assignArms({ ...a, experiments });
}

export function decideRouted(input: DecideInput, router: ModelRouter, perf: () => number): Decision {
  const route = router.route(input.artifact, input.visitorId);
  // Timed only for a router that hears decisions (the lifecycle's, while a rollout runs).
  const reported = router.decided !== undefined;
  // Production's own artifact and ranker, and nobody to report to: the decision is the
  // unrouted one, made on the input as it is (no copy, no closure per page).
  if (!reported && route.artifact === input.artifact && route.ranker === undefined) return decide(input);
  // The shadow decision reuses this one's arms: nothing is assigned or logged twice.
  let effects: ArmEffects | undefined;
  // One copy, its fields set after: `{ ...input, field }` is slow on Node 20 (a spread
  // followed by a property), and this runs on every page.
  const routed: DecideInput = Object.assign({}, input);
  if (reported) {
    // The arms are kept only for the report's `again`; unreported, `decide` assigns as the input says.
    const assign = input.assignArms ?? defaultAssign(input);
    routed.assignArms = (a) => (effects = assign(a));
  }
  routed.artifact = route.artifact;
  // The candidate pool the routed model's ranker asks for; none when the route says no ranker.
  if (route.ranker) routed.candidates = route.ranker.candidates;
  else if (route.ranker === null) delete routed.candidates; // rare: a canary whose candidate has no ranker
  const t0 = reported ? perf() : 0;
  let decision: Decision;
  try {
    decision = decide(routed);
    if (route.ranker) rankWith(decision, route.ranker);
  } catch (e) {
    if (route.artifact === input.artifact) throw e;
    router.failed?.(route, input.visitorId, e);
    return decide(input);
  }
  if (reported && router.decided) {
    const ms = perf() - t0;
    router.decided({
      visitorId: input.visitorId,
      route,
      ms,
      lists: decision.recommendations,
      again(artifact) {
        const t1 = perf();
        const { memo: _, ...rest } = input;
        const again: ArmEffects | undefined = effects && { ...effects, exposures: [], trace: [] };
        const other = decide({
          ...rest,
          artifact,
          trace: false,
          ...(again ? { assignArms: () => again } : {}),
        });
        return { lists: other.recommendations as SlotLists, ms: perf() - t1 };
      },
    });
  }
  return decision;
}
