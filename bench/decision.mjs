// Full in-process decision for the demo shop: context, identity, profile,
// segments, slot rules and recommendations, timed one by one — as the page
// path makes it, without the decision trace (`engine.decide` builds the trace
// and the recommendations' explanations unless told not to; that costs about
// 3× and only debug requests pay it). The traced figure is printed beside.
import { performance } from 'node:perf_hooks';
import { demoEngine, requestFor } from './lib/demo-engine.mjs';
import { summarize } from './lib/stats.mjs';

export async function runDecision({ iterations = 50_000 } = {}) {
  const { engine, people } = await demoEngine({ visitors: 500, views: 3 });
  const reqs = people.map((p) => requestFor('/', p.cookie));
  // Warm up: JIT, memoised signatures, caches.
  for (let i = 0; i < 20_000; i++) await engine.decide(reqs[i % reqs.length], { trace: false });
  const check = await engine.decide(reqs[0]);
  if (!check.decision.personalized)
    throw new Error('bench visitor is not personalized: the benchmark would measure the wrong path');
  const time = async (trace) => {
    const samples = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const r = reqs[i % reqs.length];
      const t0 = performance.now();
      await engine.decide(r, { trace });
      samples[i] = (performance.now() - t0) * 1000;
    }
    return summarize(samples);
  };
  const s = await time(false);
  const traced = await time(true);
  return {
    name: 'decision',
    medianUs: s.median,
    p99Us: s.p99,
    n: s.n,
    tracedMedianUs: traced.median,
    tracedP99Us: traced.p99,
    segments: check.segments,
    recs: check.decision.recommendations.recommended?.length ?? 0,
  };
}
