/**
 * In-process cost of the key ring's hot operations, WebCrypto (the default,
 * and what Node used before) beside node:crypto (what the Node runtime now
 * injects): sealing and opening a digest cookie, signing and verifying a
 * visitor id (each value verified once: the memo is not what we measure),
 * and a user-id pseudonym. Process CPU µs per operation (WebCrypto's work on
 * the thread pool counts too), median of rounds that alternate the two paths.
 *
 *   npm run build && node bench/key-ring.mjs
 */
import {
  createKeyRing,
  newVisitorId,
  pseudonymizeUserId,
  seal,
  signId,
  unseal,
  verifySignedId,
} from '../dist/core/identity/index.js';
import { nodeKeyRingCrypto } from '../dist/runtimes/node/node-crypto.js';
import { median } from './lib/stats.mjs';

const SECRET = 'bench-key-ring-secret-0123456789abcdef';
const N = Number(process.env.N ?? 5000);
const ROUNDS = 7;
// A digest cookie's plaintext as /collect writes it (a few hundred bytes of JSON).
const DIGEST = JSON.stringify({
  v: 1,
  t: 1767000000000,
  c: { shoes: 3.2, bags: 1.1, hats: 0.4, coats: 2.7 },
  b: { acme: 2, zest: 1 },
  r: Array.from({ length: 12 }, (_, i) => `sku-${1000 + i}`),
});

async function timeOp(fn) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await fn(i);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}

const visitor = newVisitorId();
const ids = Array.from({ length: N }, () => newVisitorId());

/** One round of every operation on a ring built with `fast` (or WebCrypto), into `out`. */
async function round(fast, out) {
  const ring = createKeyRing(SECRET, fast);
  const fresh = createKeyRing(SECRET, fast); // an empty verify memo
  const sealed = await seal(ring, DIGEST, `digest:${visitor}`);
  const signed = await Promise.all(ids.map((id) => signId(fresh, id)));
  out.seal.push(await timeOp(() => seal(ring, DIGEST, `digest:${visitor}`)));
  out.unseal.push(await timeOp(() => unseal(ring, sealed, `digest:${visitor}`)));
  out.sign.push(await timeOp((i) => signId(ring, ids[i])));
  out.verify.push(await timeOp((i) => verifySignedId(fresh, signed[i])));
  out.pseudonym.push(await timeOp((i) => pseudonymizeUserId(ring, ids[i])));
}

const empty = () => ({ seal: [], unseal: [], sign: [], verify: [], pseudonym: [] });
const webRuns = empty();
const nodeRuns = empty();
const fast = nodeKeyRingCrypto();
await round(undefined, empty()); // warm-up
await round(fast, empty());
// Alternate so the noisy machine hurts both alike.
for (let r = 0; r < ROUNDS; r++) {
  await round(undefined, webRuns);
  await round(fast, nodeRuns);
}
const medians = (runs) => Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
const w = medians(webRuns);
const n = medians(nodeRuns);
console.log(
  `op          webcrypto µs   node:crypto µs   ratio   (CPU per op, median of ${ROUNDS} rounds × ${N})`,
);
for (const k of Object.keys(w))
  console.log(
    `${k.padEnd(12)}${w[k].toFixed(2).padStart(12)}${n[k].toFixed(2).padStart(17)}${(w[k] / n[k]).toFixed(1).padStart(8)}×`,
  );
