// HTTP throughput of a personalized page, as a ratio of a bare node:http
// server sending the same bytes. Servers and load generator are separate
// processes; rounds alternate so drift on a noisy machine hits both.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJson, startJson } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TICK_S = 1 / 100; // USER_HZ

/**
 * CPU seconds (user + system) a process has used: around a load round, the
 * cost of a request in CPU, which a loaded machine bends less than req/s
 * (that one also measures the share of a core the server got).
 */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

export async function runHttp({ rounds = 3, seconds = 5, connections = 32 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-http-'));
  const tessera = await startJson([join(here, 'servers/tessera.mjs'), '0']);
  const samplePath = join(dir, 'sample.json');
  const cookiesPath = join(dir, 'cookies.json');
  writeFileSync(samplePath, JSON.stringify(tessera.data.sample));
  writeFileSync(cookiesPath, JSON.stringify(tessera.data.cookies));
  const bare = await startJson([join(here, 'servers/bare.mjs'), '0', samplePath]);
  const load = (port) =>
    runJson([
      join(here, 'lib/load.mjs'),
      `http://127.0.0.1:${port}/`,
      String(connections),
      String(seconds),
      cookiesPath,
    ]);
  try {
    await load(bare.data.port); // warm-up both
    await load(tessera.data.port);
    const b = [];
    const t = [];
    const tp99 = [];
    const bp99 = [];
    const bCpu = [];
    const tCpu = [];
    /** A load round, and the server's CPU µs per request in it. */
    const measured = async (server, into) => {
      const c0 = cpuSeconds(server.child.pid);
      const r = await load(server.data.port);
      into.push((1e6 * (cpuSeconds(server.child.pid) - c0)) / (r.rps * seconds));
      return r;
    };
    for (let i = 0; i < rounds; i++) {
      const rb = await measured(bare, bCpu);
      const rt = await measured(tessera, tCpu);
      if (rt.non2xx || rt.errors)
        throw new Error(`tessera answered ${rt.non2xx} non-2xx and ${rt.errors} errors`);
      b.push(rb.rps);
      t.push(rt.rps);
      bp99.push(rb.p99);
      tp99.push(rt.p99);
    }
    return {
      name: 'http',
      bareRps: median(b),
      tesseraRps: median(t),
      ratio: median(t) / median(b),
      bareP99Ms: median(bp99),
      tesseraP99Ms: median(tp99),
      bareCpuUsPerRequest: median(bCpu),
      tesseraCpuUsPerRequest: median(tCpu),
      bytes: Buffer.byteLength(tessera.data.sample.body),
      rounds,
      seconds,
      connections,
    };
  } finally {
    tessera.child.kill();
    bare.child.kill();
  }
}
