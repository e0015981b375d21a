// `npm run bench`: every benchmark of the vertical slice, one table, and the
// same numbers as JSON with --json. Targets are printed beside the results.
import { runDecision } from './decision.mjs';
import { runHttp } from './http.mjs';
import { fmt } from './lib/stats.mjs';
import { runPeer } from './peer.mjs';

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
const results = {};

if (!only || only === 'decision') {
  const d = await runDecision();
  results.decision = d;
  console.log(
    `decision (full in-process, demo shop, ${d.n} samples): median ${fmt(d.medianUs)} µs (target ≤ 20), p99 ${fmt(d.p99Us)} µs (target ≤ 100)`,
  );
}
if (!only || only === 'peer') {
  const p = await runPeer();
  results.peer = p;
  console.log(
    `peer workload: Tessera ${fmt(p.tesseraPerSec, 0)}/s, GrowthBook ${fmt(p.growthbookPerSec, 0)}/s, ratio ${fmt(p.ratio)}× (target ≥ 5), same answers for ${fmt(p.agreement * 100, 1)}% of visitors`,
  );
}
if (!only || only === 'http') {
  const h = await runHttp();
  results.http = h;
  console.log(
    `http personalized page (${h.bytes} B, ${h.connections} connections, median of ${h.rounds}×${h.seconds}s): Tessera ${fmt(h.tesseraRps, 0)} req/s, bare node:http ${fmt(h.bareRps, 0)} req/s, ratio ${fmt(h.ratio)} (target ≥ 0.6); p99 ${h.tesseraP99Ms} ms vs ${h.bareP99Ms} ms`,
  );
}
if (args.has('--json')) console.log(JSON.stringify(results, null, 2));
