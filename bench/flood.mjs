// `node --import tsx bench/flood.mjs` (or `npm run bench -- --only=flood`):
// three processes on loopback. A Tessera node (memory store, default limits),
// a flooder (autocannon, bounded duration) throwing junk at /collect —
// malformed JSON, oversized bodies, invalid events — with random forged
// cookies, no cookie, or one real visitor id it got from a page load, and
// this process, a normal visitor browsing pages with a real cookie. Prints
// the visitor's page p99 and median quiet vs under flood (same run), the p99
// ratio (target ≤ 2), the junk requests' status counts (target: all
// 4xx/429, no 5xx), and the server's CPU per junk request from /proc (what a
// loaded machine bends least). Everything shares one loopback address, as a
// flood behind a NAT would: the per-IP limits meet it. The flooder waits for
// each answer (autocannon, 32 connections): the server holds refusals back
// from connections that ignore Retry-After (src/runtimes/node/refusals.ts),
// so its rate falls; FLOOD_NO_HOLD=1 writes every refusal at once, to see
// the cost of the refusal path itself under the full rate.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, summarize } from './lib/stats.mjs';

const QUIET_SECONDS = 6;
const FLOOD_SECONDS = 10;
const FLOOD_CONNECTIONS = 32;
const self = fileURLToPath(import.meta.url);
const role = process.argv[2];

if (role === '--server') await server();
else if (role === '--flooder') await flooder(process.argv[3]);
else await main();

async function server() {
  const { createNodeApp } = await import('../src/runtimes/node/app.ts');
  const { consoleLogger } = await import('../src/runtimes/node/logger.ts');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-flood-'));
  const app = await createNodeApp({
    dataDir: dir,
    store: 'memory:',
    secret: 'flood-bench-secret-flood-bench-secret-00',
    consentMode: 'opt-out',
    retrainMs: 0,
    modelPollMs: 0,
    trainIfEmpty: false,
    logger: consoleLogger('error'),
    // FLOOD_NO_HOLD=1: every refusal written at once, to see what the cheap 429 path alone does.
    ...(process.env.FLOOD_NO_HOLD ? { refusals: { maxHoldMs: 0 } } : {}),
  });
  const port = await app.listen(0);
  process.send?.({ port });
  process.on('message', async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

async function flooder(url) {
  const { default: autocannon } = await import('autocannon');
  // One real id, as a flooder gets by loading a page: its own bucket stops it.
  const page = await fetch(`${url}/`);
  await page.arrayBuffer();
  const realId = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('tsr_id='));
  const cookies = [
    () => `tsr_id=${Math.random().toString(36).slice(2)}.forged`,
    () => undefined,
    () => realId,
  ];
  const junk = [
    '{"events":[',
    'not json at all',
    JSON.stringify({ events: [{ id: '', type: 'nope', ts: 'x' }, { __proto__: { a: 1 } }] }),
    JSON.stringify({ events: Array.from({ length: 500 }, (_, i) => ({ id: `e${i}` })) }),
    `{"events":[{"id":"${'x'.repeat(70_000)}"}]}`, // over the 64 KiB body limit
    JSON.stringify({ notEvents: true }),
  ];
  let n = 0;
  const requests = junk.map((body) => ({
    method: 'POST',
    path: '/collect',
    headers: { 'content-type': 'application/json' },
    body,
    setupRequest(req) {
      const cookie = cookies[n++ % cookies.length]();
      req.headers = { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) };
      return req;
    },
  }));
  // The visitor's flood window starts from here: not from the fork, whose start-up (Node, autocannon's
  // import, the page load) would otherwise fall in the window on a loaded machine.
  process.send?.({ started: true });
  const result = await autocannon({ url, connections: FLOOD_CONNECTIONS, duration: FLOOD_SECONDS, requests });
  const statuses = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count;
  process.send?.({ requests: result.requests.total, errors: result.errors, statuses });
}

/**
 * CPU seconds (user + system) the server has used. Around the quiet and the
 * flood windows it gives the server's CPU per junk request, which a loaded
 * machine bends far less than the p99 does (that one also measures how much
 * of a core the server got).
 */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
}

async function browse(base, cookie, paths, seconds) {
  const samples = [];
  const end = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const t0 = performance.now();
    const res = await fetch(base + paths[i % paths.length], { headers: { cookie } });
    await res.arrayBuffer();
    samples.push(performance.now() - t0);
    if (res.status >= 500) throw new Error(`[tessera] [bench] the visitor got ${res.status}`);
  }
  return summarize(samples);
}

function once(child) {
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`[tessera] [bench] child exited with ${code}`)));
  });
}

async function main() {
  // FLOOD_CPU_PROF=dir: the server writes a V8 CPU profile there (`node --cpu-prof`) when it closes.
  const prof = process.env.FLOOD_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FLOOD_CPU_PROF}`]
    : [];
  const srv = fork(self, ['--server'], { execArgv: ['--import', 'tsx', ...prof], stdio: 'inherit' });
  try {
    const { port } = await once(srv);
    const base = `http://127.0.0.1:${port}`;
    const first = await fetch(`${base}/`);
    await first.arrayBuffer();
    const cookie = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const paths = ['/', '/category/running', '/category/outdoor', '/nope'];
    await browse(base, cookie, paths, 1); // warm-up
    const cpu0 = cpuSeconds(srv.pid);
    const quiet = await browse(base, cookie, paths, QUIET_SECONDS);
    const quietCpu = cpuSeconds(srv.pid) - cpu0;
    const flood = fork(self, ['--flooder', base], { stdio: 'inherit' });
    await once(flood); // started
    const cpu1 = cpuSeconds(srv.pid);
    const floodStart = performance.now();
    const floodDone = once(flood);
    await new Promise((r) => setTimeout(r, 500)); // let the flood ramp up
    const loud = await browse(base, cookie, paths, FLOOD_SECONDS - 1.5);
    const junk = await floodDone;
    const cpu2 = cpuSeconds(srv.pid);
    const floodWallS = (performance.now() - floodStart) / 1000;
    // The flood window's server CPU less the visitor's pages in it (at the quiet window's cost per page).
    const cpuPerPageMs = (quietCpu * 1000) / quiet.n;
    const junkCpuMs = (cpu2 - cpu1) * 1000 - loud.n * cpuPerPageMs;
    const cpuPerJunkUs = (junkCpuMs * 1000) / Math.max(1, junk.requests);
    // With few junk requests (held refusals) their share is within the pages' noise: not printed as a number.
    const resolvable = junk.requests >= 5000 && junkCpuMs > 0.25 * (cpu2 - cpu1) * 1000;
    const ratio = loud.p99 / quiet.p99;
    const bad = Object.entries(junk.statuses).filter(([c]) => Number(c) >= 500 || Number(c) < 400);
    const r = {
      quietP99Ms: quiet.p99,
      floodP99Ms: loud.p99,
      quietMedianMs: quiet.median,
      floodMedianMs: loud.median,
      ratio,
      visitorRequests: { quiet: quiet.n, flood: loud.n },
      serverCpuPerPageMs: cpuPerPageMs,
      serverCpuPerJunkUs: resolvable ? cpuPerJunkUs : null,
      serverCpuShare: { quiet: quietCpu / QUIET_SECONDS, flood: (cpu2 - cpu1) / floodWallS },
      junk,
    };
    console.log(
      `flood: visitor page p99 quiet ${fmt(quiet.p99)} ms (median ${fmt(quiet.median)}, ${quiet.n} pages) vs under flood ${fmt(loud.p99)} ms (median ${fmt(loud.median)}, ${loud.n} pages), ratio ${fmt(ratio)}× (target ≤ 2)`,
    );
    const throttled = (junk.statuses[429] ?? 0) / Math.max(1, junk.requests);
    r.junkThrottledShare = throttled;
    console.log(
      `flood: ${fmt(throttled * 100, 1)}% of the junk got 429; ${junk.requests} junk requests in ${FLOOD_SECONDS} s (${fmt(junk.requests / FLOOD_SECONDS, 0)}/s, ${junk.errors} socket errors), statuses ${JSON.stringify(junk.statuses)}; non-4xx: ${bad.length ? JSON.stringify(Object.fromEntries(bad)) : 'none'} (target: none)`,
    );
    console.log(
      `flood: server CPU ${resolvable ? `${fmt(cpuPerJunkUs, 1)} µs per junk request` : 'per junk request too small to separate from the pages'} (${fmt(cpu2 - cpu1)} s in the ${fmt(floodWallS, 1)} s flood window, ${fmt((100 * (cpu2 - cpu1)) / floodWallS, 0)}% of a core, less ${loud.n} pages at ${fmt(cpuPerPageMs)} ms each, from /proc/${srv.pid}/stat; quiet: ${fmt((100 * quietCpu) / QUIET_SECONDS, 0)}% of a core)`,
    );
    console.log(`JSON:${JSON.stringify(r)}`);
  } finally {
    srv.send('close');
  }
}
