// Ingest throughput over HTTP: `POST /collect` on the Tessera server as
// `npm start` runs it (the built CLI, embedded SQLite store in a temp data
// dir, profiles encrypted at rest as by default, the demo shop), against a
// bare node:http server that reads and JSON-parses the same bodies and
// answers 202, and a third, the durable floor (servers/durable-collect.mjs):
// that bare server plus the same deduplicated SQLite event log with group
// commit, which is the least a server that acknowledges only logged events
// does. Each server and each load run is its own process; rounds alternate
// so drift on a noisy machine hits all three.
//
// Load: 2,000 consenting visitors (real signed `tsr_id` cookies minted with
// the server's own secret, `tsr_consent=p1.a1`, `Origin` the server's own),
// batches of 25 events (views and clicks of catalog items, unique ids),
// 16 connections. The per-IP limit is lifted (`--ip-rate`): all load comes
// from one address. The per-visitor bucket stays. Every answer must be 202
// with `stored` equal to the batch size; a run with any other is an error.
//
// Besides events/s, each server's CPU time (user + system, from /proc on
// Linux) is read around every load run: events per server CPU-second is what
// the code costs, and holds still on a machine whose other processes take
// cores from the server (events/s does not).
//
//   npm run build && node bench/ingest.mjs [--rounds=3] [--seconds=5] [--cpu-prof=DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeyRing, newVisitorId, signId } from '../dist/core/identity/index.js';
import { runJson, startJson } from './lib/proc.mjs';
import { fmt, median } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
/** Batches per second per IP given to the server: far above what one node can take. */
export const LIFTED_IP_RATE = 1_000_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `tessera serve` with `dev`'s settings (node id, SQLite in the data dir, opt-in) and the per-IP limit lifted. */
async function startTessera(dataDir, nodeArgs) {
  const port = await freePort();
  const args = [
    ...nodeArgs,
    join(root, 'dist/cli/main.js'),
    'serve',
    '--node-id=dev',
    `--store=sqlite:${join(dataDir, 'tessera.db')}`,
    `--data-dir=${dataDir}`,
    `--port=${port}`,
    `--ip-rate=${LIFTED_IP_RATE}`,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
  const log = [];
  await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      log.push(d);
      if (log.join('').includes(`:${port} (node dev`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`[tessera] [bench] tessera serve exited with ${code}`)));
  });
  return { child, port, log };
}

/** CPU seconds (user + system) a process has used, from /proc; undefined where there is none. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the name), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on every Linux build Node runs on. */
const CLOCK_TICKS = 100;

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function workload(dataDir, visitors, batch, origin) {
  // The secret `tessera serve` wrote to its data dir on start: ids signed with it verify.
  const ring = createKeyRing(readFileSync(join(dataDir, 'secret'), 'utf8').trim());
  const cookies = [];
  for (let v = 0; v < visitors; v++)
    cookies.push(`tsr_id=${await signId(ring, newVisitorId())}; tsr_consent=p1.a1`);
  const catalog = JSON.parse(readFileSync(join(root, 'examples/shop/catalog.json'), 'utf8'));
  return { cookies, items: catalog.map((p) => p.id), batch, views: 5, ...(origin ? { origin } : {}) };
}

export async function runIngest({
  rounds = 3,
  seconds = 5,
  connections = 16,
  visitors = 2000,
  batch = 25,
  cpuProfDir,
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-'));
  const dataDir = join(dir, 'data');
  const nodeArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const tessera = await startTessera(dataDir, nodeArgs);
  const bare = await startJson([join(here, 'servers/bare-collect.mjs'), '0']);
  const durable = await startJson([join(here, 'servers/durable-collect.mjs'), '0', join(dir, 'floor.db')]);
  const files = {};
  for (const [name, port] of [
    ['tessera', tessera.port],
    ['bare', bare.data.port],
    ['durable', durable.data.port],
  ]) {
    files[name] = join(dir, `${name}.json`);
    const w = await workload(dataDir, visitors, batch, `http://127.0.0.1:${port}`);
    writeFileSync(files[name], JSON.stringify(w));
  }
  const pids = { tessera: tessera.child.pid, bare: bare.child.pid, durable: durable.child.pid };
  const load = async (name, port, secs) => {
    const cpu0 = cpuSeconds(pids[name]);
    const r = await runJson([
      join(here, 'lib/collect-load.mjs'),
      `http://127.0.0.1:${port}`,
      String(connections),
      String(secs),
      files[name],
    ]);
    if (r.non2xx || r.errors || r.timeouts || r.mismatched)
      throw new Error(
        `[tessera] [bench] ${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts, ${r.mismatched} answers not 202 with stored=${batch} (first: ${r.firstMismatch}): not a result`,
      );
    const cpu1 = cpuSeconds(pids[name]);
    const events = r.requests * batch;
    r.eventsPerCpuSec =
      cpu0 === undefined || cpu1 === undefined || cpu1 <= cpu0 ? undefined : events / (cpu1 - cpu0);
    return r;
  };
  try {
    await load('bare', bare.data.port, 2); // warm-up all three
    await load('durable', durable.data.port, 2);
    await load('tessera', tessera.port, 2);
    const runs = { bare: [], durable: [], tessera: [] };
    for (let i = 0; i < rounds; i++) {
      runs.bare.push(await load('bare', bare.data.port, seconds));
      runs.durable.push(await load('durable', durable.data.port, seconds));
      runs.tessera.push(await load('tessera', tessera.port, seconds));
    }
    const retrained = tessera.log.join('').includes('retrained');
    const ev = (rs) => median(rs.map((r) => r.rps * batch));
    const ms = (rs, k) => median(rs.map((r) => r[k]));
    const perCpu = (rs) =>
      rs.some((r) => r.eventsPerCpuSec === undefined) ? undefined : median(rs.map((r) => r.eventsPerCpuSec));
    return {
      name: 'ingest',
      tesseraEventsPerCpuSec: perCpu(runs.tessera),
      bareEventsPerCpuSec: perCpu(runs.bare),
      durableEventsPerCpuSec: perCpu(runs.durable),
      durableEventsPerSec: ev(runs.durable),
      durableRatio: ev(runs.durable) / ev(runs.bare),
      durableP99Ms: ms(runs.durable, 'p99'),
      cpuRatio: perCpu(runs.tessera) === undefined ? undefined : perCpu(runs.tessera) / perCpu(runs.bare),
      tesseraEventsPerSec: ev(runs.tessera),
      bareEventsPerSec: ev(runs.bare),
      ratio: ev(runs.tessera) / ev(runs.bare),
      tesseraP50Ms: ms(runs.tessera, 'p50'),
      tesseraP99Ms: ms(runs.tessera, 'p99'),
      bareP50Ms: ms(runs.bare, 'p50'),
      bareP99Ms: ms(runs.bare, 'p99'),
      perRound: runs.tessera.map((r) => r.rps * batch),
      retrainedDuringRun: retrained,
      ipRate: LIFTED_IP_RATE,
      rounds,
      seconds,
      connections,
      visitors,
      batch,
    };
  } finally {
    await stop(tessera.child);
    bare.child.kill();
    durable.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ingestLine(r) {
  return `ingest POST /collect (embedded SQLite, encrypted at rest, ${r.visitors} visitors, batches of ${r.batch}, ${r.connections} connections, per-IP limit lifted to ${r.ipRate}/s, median of ${r.rounds}×${r.seconds}s): Tessera ${fmt(r.tesseraEventsPerSec, 0)} events/s (target ≥ 50,000), bare node:http ${fmt(r.bareEventsPerSec, 0)} events/s, ratio ${fmt(r.ratio)} (target ≥ 0.2); p50 ${r.tesseraP50Ms} ms, p99 ${r.tesseraP99Ms} ms (target ≤ 20) vs bare p50 ${r.bareP50Ms} ms, p99 ${r.bareP99Ms} ms${r.tesseraEventsPerCpuSec === undefined ? '' : `; per server CPU-second: Tessera ${fmt(r.tesseraEventsPerCpuSec, 0)} events, bare ${fmt(r.bareEventsPerCpuSec, 0)}, ratio ${fmt(r.cpuRatio)}`}${r.durableEventsPerSec === undefined ? '' : `; the durable floor (bare + the same deduplicated SQLite log, group commit, no fold or profile): ${fmt(r.durableEventsPerSec, 0)} events/s, ${fmt(r.durableRatio)} of bare, p99 ${r.durableP99Ms} ms${r.durableEventsPerCpuSec === undefined ? '' : `, ${fmt(r.durableEventsPerCpuSec, 0)} events per CPU-second`}`}${r.retrainedDuringRun ? '; NOTE: a background retrain ran during the run' : ''}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opt = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const r = await runIngest({
    ...(opt('rounds') ? { rounds: Number(opt('rounds')) } : {}),
    ...(opt('seconds') ? { seconds: Number(opt('seconds')) } : {}),
    ...(opt('cpu-prof') ? { cpuProfDir: opt('cpu-prof') } : {}),
  });
  console.log(ingestLine(r));
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
}
