// Load generator for POST /collect, run in its own process: autocannon,
// each request one visitor's cookies (round robin over the workload's
// visitors) and a fresh batch of events with ids unique to this run. Every
// answer is checked: 202 and `stored` equal to the batch size, else counted
// as a mismatch. Prints the result as one JSON line.
//
//   node bench/lib/collect-load.mjs URL CONNECTIONS SECONDS WORKLOAD.json
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, connections, seconds, workloadFile] = process.argv.slice(2);
/** @type {{ cookies: string[], items: string[], batch: number, views: number, origin?: string }} */
const w = JSON.parse(readFileSync(workloadFile, 'utf8'));
const run = randomBytes(4).toString('hex');
const perVisitor = new Uint32Array(w.cookies.length);
let seq = 0;
let mismatched = 0;
let firstMismatch;

/** A batch as the browser script sends it: `views` item views (distinct for a while), then clicks. */
function batchFor(v) {
  const k = perVisitor[v]++;
  const now = Date.now();
  const id = `${run}${(seq++).toString(36)}-`;
  const items = w.items;
  let body = '{"events":[';
  for (let i = 0; i < w.batch; i++) {
    const view = i < w.views;
    // Views walk the catalog per visitor so none repeats within the 30 s repeat-view window.
    const item = view
      ? items[(v * 37 + k * w.views + i) % items.length]
      : items[(v * 11 + k * 3 + i * 7) % items.length];
    if (i > 0) body += ',';
    body += `{"id":"${id}${i}","type":"${view ? 'view' : 'click'}","ts":${now - (w.batch - i) * 40},"item":"${item}"}`;
  }
  return `${body}]}`;
}

const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    {
      method: 'POST',
      path: '/collect',
      setupRequest(req) {
        const v = seq % w.cookies.length;
        const headers = { 'content-type': 'text/plain;charset=UTF-8', cookie: w.cookies[v] };
        if (w.origin) headers.origin = w.origin;
        return { ...req, headers, body: batchFor(v) };
      },
      onResponse(status, body) {
        let stored;
        try {
          stored = JSON.parse(body).stored;
        } catch {}
        if (status !== 202 || stored !== w.batch) {
          mismatched++;
          firstMismatch ??= `${status} ${String(body).slice(0, 200)}`;
        }
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatched,
    firstMismatch,
  })}\n`,
);
