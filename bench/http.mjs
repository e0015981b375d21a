// HTTP throughput of a personalized page, as a ratio of a bare node:http
// server sending the same bytes. Servers and load generator are separate
// processes; rounds alternate so drift on a noisy machine hits both.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJson, startJson } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));

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
    for (let i = 0; i < rounds; i++) {
      const rb = await load(bare.data.port);
      const rt = await load(tessera.data.port);
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
