// `npm run bench`: every benchmark of the vertical slice, one table, and the
// same numbers as JSON with --json. Targets are printed beside the results.
import { runDecision } from './decision.mjs';
import { runHttp } from './http.mjs';
import { ingestLine, runIngest } from './ingest.mjs';
import { fmt } from './lib/stats.mjs';
import { runTsx } from './lib/tsx.mjs';
import { peerLines, runPeer } from './peer.mjs';
import { runProfile } from './profile.mjs';
import { runRuntimes, runtimeLines } from './runtimes.mjs';
import { runTracing } from './tracing.mjs';
import { runWorker } from './worker.mjs';

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
const results = {};

if (!only || only === 'decision') {
  const d = await runDecision();
  results.decision = d;
  console.log(
    `decision (full in-process, demo shop, ${d.n} samples, no trace as on the page path): median ${fmt(d.medianUs)} µs (target ≤ 20), p99 ${fmt(d.p99Us)} µs (target ≤ 100); with the decision trace: median ${fmt(d.tracedMedianUs)} µs, p99 ${fmt(d.tracedP99Us)} µs`,
  );
}
if (!only || only === 'peer') {
  const p = await runPeer();
  results.peer = p;
  for (const line of peerLines(p)) console.log(line);
}
if (!only || only === 'profile') {
  const r = await runProfile();
  results.profile = r;
  const us = (ns) => (ns === undefined ? 'n/a' : `${fmt(ns / 1000, 3)} µs`);
  console.log(
    `profile fold (median per event): applyEvent on an empty profile ${us(r.applyEventEmptyNs)}, at its size cap ${us(r.applyEventCappedNs)} (target ≤ 2 µs); 20 raw views: applyEvent one by one ${us(r.foldPerEventNs)}, applyEvents ${us(r.applyEventsPerEventNs)}, plain-JS floor ${us(r.floorPerEventNs)}, ratio ${fmt(r.ratio, 1)}× the floor`,
  );
}
if (!only || only === 'http') {
  const h = await runHttp();
  results.http = h;
  console.log(
    `http personalized page (${h.bytes} B, ${h.connections} connections, median of ${h.rounds}×${h.seconds}s): Tessera ${fmt(h.tesseraRps, 0)} req/s, bare node:http ${fmt(h.bareRps, 0)} req/s, ratio ${fmt(h.ratio)} (target ≥ 0.7); p99 ${h.tesseraP99Ms} ms vs ${h.bareP99Ms} ms`,
  );
}
if (!only || only === 'ingest') {
  const r = await runIngest();
  results.ingest = r;
  console.log(ingestLine(r));
}
if (!only || only === 'worker') {
  const w = await runWorker();
  results.worker = w;
  console.log(
    `worker in workerd (demo shop, personalized ${w.bytes} B page): CPU/request median ${fmt(w.cpu.tesseraMedianMs)} ms, p99 ${fmt(w.cpu.tesseraP99Ms)} ms (limit 10 ms; bare Worker ${fmt(w.cpu.bareMedianMs)} ms, net ${fmt(w.cpu.netMedianMs)} ms; ${w.cpu.batches} batches × ${w.cpu.batchSize}); ${fmt(w.tesseraRps, 0)} req/s vs bare Worker ${fmt(w.bareRps, 0)} req/s, ratio ${fmt(w.ratio)}; bundle ${fmt(w.bundleGzipBytes / 1024, 1)} KiB gzipped`,
  );
}
if (!only || only === 'tracing') {
  const t = await runTracing();
  results.tracing = t;
  console.log(
    `tracing (page path through engine.handle, ${t.n} requests each, alternating blocks): off median ${fmt(t.offMedianUs)} µs p99 ${fmt(t.offP99Us)} µs; on (Node SDK, batch, OTLP/HTTP to a loopback sink) median ${fmt(t.onMedianUs)} µs p99 ${fmt(t.onP99Us)} µs; on/off ratio ${fmt(t.ratio)} (median of ${t.ratios.length} rounds: ${t.ratios.map((r) => fmt(r)).join(' ')}); wall per request with the exports ${fmt(t.wallOffUs)} µs off, ${fmt(t.wallOnUs)} µs on, ratio ${fmt(t.wallRatio)}; ${fmt(t.exportedBytes / 1024, 0)} KiB exported`,
  );
}
if (!only || only === 'runtimes') {
  const r = await runRuntimes();
  results.runtimes = r;
  for (const line of runtimeLines(r)) console.log(line);
}
// These import TypeScript sources and run under tsx (no build needed).
for (const name of ['train', 'online', 'artifact', 'cluster', 'flood', 'onnx', 'swap']) {
  if (only && only !== name) continue;
  const r = runTsx(`${name}.mjs`);
  results[name] = r.result;
  for (const line of r.lines) console.log(line);
}
if (args.has('--json')) console.log(JSON.stringify(results, null, 2));
