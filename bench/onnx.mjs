// One ranking call of the GRU4Rec ONNX export: a 10-click session, 500
// candidates, a 50,000-item model with 64 hidden units (random weights: the
// cost does not depend on their values). p50/p99 of the TypeScript forward
// pass and of onnxruntime-web (wasm, one thread) in Node, per call; and of
// onnxruntime-web in workerd (CompiledWasm), where the Worker's clock only
// moves on I/O, so each request runs `repeat` calls and the batch's wall
// time from outside / repeat is one sample (p99 over batch means, HTTP
// round trip included). Budget: p99 ≤ 2 ms.
// Run: node --import tsx bench/onnx.mjs  (or node bench/run.mjs --only=onnx)
import { performance } from 'node:perf_hooks';
import { checkOnnxContract } from '../src/models/onnx/contract.ts';
import { loadOrtNode } from '../src/models/onnx/ort-node.ts';
import { createOnnxScorer } from '../src/models/onnx/scorer.ts';
import { GruForward } from '../src/train/algorithms/gru4rec/forward.ts';
import { exportGru4RecOnnx } from '../src/train/algorithms/gru4rec/onnx-export.ts';
import { initWeights } from '../src/train/algorithms/gru4rec/weights.ts';
import { createRng } from '../src/train/rng.ts';
import { startOnnxWorker } from '../test/workerd/onnx-harness.ts';
import { fmt, summarize } from './lib/stats.mjs';

const ITEMS = 50_000;
const HIDDEN = 64;
const CALLS = 2000;
const rng = createRng(11);
const weights = initWeights(ITEMS, HIDDEN, rng);
const bytes = exportGru4RecOnnx(weights, { candidates: true });
const clicks = Array.from({ length: 10 }, () => Math.floor(rng() * ITEMS));
const candidates = Int32Array.from({ length: 500 }, () => Math.floor(rng() * ITEMS));

async function timed(fn, n) {
  for (let i = 0; i < 200; i++) await fn();
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return summarize(ms);
}

const ts = new GruForward(weights);
const out = new Float32Array(candidates.length);
const tsNode = await timed(() => {
  ts.run(clicks);
  ts.scores(out, candidates);
}, CALLS);
const scorer = await createOnnxScorer(await loadOrtNode(), bytes, checkOnnxContract(bytes, ITEMS), ITEMS);
const onnxNode = await timed(() => scorer.score(clicks, candidates), CALLS);

const worker = await startOnnxWorker();
let onnxWorkerd;
try {
  const load = await fetch(`${worker.baseUrl}/load?items=${ITEMS}`, { method: 'POST', body: bytes });
  if (load.status !== 200) throw new Error(await load.text());
  const repeat = 20;
  const body = JSON.stringify({ clicks, candidates: Array.from(candidates), repeat });
  const batch = async () => {
    const r = await fetch(`${worker.baseUrl}/score`, { method: 'POST', body });
    await r.arrayBuffer();
  };
  for (let i = 0; i < 20; i++) await batch();
  const ms = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await batch();
    ms.push((performance.now() - t0) / repeat);
  }
  onnxWorkerd = summarize(ms);
} finally {
  await worker.close();
}
const MiB = 1024 * 1024;
const line = (name, s) => `${name} p50 ${fmt(s.median, 3)} ms, p99 ${fmt(s.p99, 3)} ms`;
console.log(
  `onnx ranking call (10 clicks, 500 candidates, ${ITEMS} items × ${HIDDEN}, budget p99 ≤ 2 ms): ${line('TS Node', tsNode)}; ${line('ONNX Node', onnxNode)}; ${line('ONNX workerd (batch means)', onnxWorkerd)}; model ${fmt(bytes.byteLength / MiB)} MiB, wasm ${fmt(worker.wasmBytes / MiB)} MiB, Worker bundle ${fmt(worker.bundleBytes / MiB)} MiB (limit 64 MiB)`,
);
console.log(
  `JSON:${JSON.stringify({ tsNode, onnxNode, onnxWorkerd, modelBytes: bytes.byteLength, wasmBytes: worker.wasmBytes, bundleBytes: worker.bundleBytes })}`,
);
