/**
 * What a page request tells its trace: each Server-Timing stage as a child
 * span (the stages run one after another, so each starts where the one
 * before it ended; `experiments`, carved out of the decision, is placed just
 * before `recommend`), and the decision's variant, profile source, segments
 * and experiment arms as attributes of the request's span.
 * @module
 */
import { type RequestTrace, TRACE_ATTRIBUTES } from '../tracer.js';
import type { Decision } from '../types.js';
import type { Timing } from './server-timing.js';

export function tracePage(trace: RequestTrace, t: Timing, decision: Decision, profileSource: string): void {
  let at = t.started;
  t.eachStep((stage, ms) => {
    trace.stage(stage, at, at + ms);
    at += ms;
  });
  trace.attribute(TRACE_ATTRIBUTES.variant, decision.cacheKey);
  trace.attribute(TRACE_ATTRIBUTES.profileSource, profileSource);
  trace.attribute(TRACE_ATTRIBUTES.segments, decision.segments.join(','));
  for (const experiment in decision.arms)
    trace.attribute(`${TRACE_ATTRIBUTES.experimentPrefix}${experiment}`, decision.arms[experiment]!);
}
