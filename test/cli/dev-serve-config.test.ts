/**
 * `tessera dev` and `tessera serve` read the same flags, `TESSERA_*`
 * variables and config file: a per-IP rate given any of these ways reaches
 * the running server's `/collect` limits (burst 2n, then 429). `dev` only
 * changes defaults: the file's node id wins over dev's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunningCli, startCli, tempDirs } from './cli-process.js';

const dataDir = tempDirs('tessera-cli-');

/** Statuses of `n` id-less batches posted one after another. */
async function postBatches(base: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"events":[]}',
    });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

async function withServer<T>(start: Promise<RunningCli>, fn: (s: RunningCli) => Promise<T>): Promise<T> {
  const s = await start;
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

describe('tessera dev and serve read the same settings', () => {
  for (const command of ['dev', 'serve']) {
    it(`${command}: TESSERA_IP_RATE reaches the /collect limits`, async () => {
      const start = startCli([command, '--port', '0', '--data-dir', dataDir()], { TESSERA_IP_RATE: '1' });
      expect(await withServer(start, (s) => postBatches(s.base, 3))).toEqual([202, 202, 429]);
    });
  }

  it('dev: the --ip-rate flag reaches the limits, and wins over the environment', async () => {
    const low = startCli(['dev', '--port', '0', '--data-dir', dataDir(), '--ip-rate', '1']);
    expect(await withServer(low, (s) => postBatches(s.base, 3))).toEqual([202, 202, 429]);
    const high = startCli(['dev', '--port', '0', '--data-dir', dataDir(), '--ip-rate', '50'], {
      TESSERA_IP_RATE: '1',
    });
    expect(await withServer(high, (s) => postBatches(s.base, 3))).toEqual([202, 202, 202]);
  });

  it('dev: a config file sets the limits and overrides dev’s own defaults', async () => {
    const dir = dataDir();
    const file = join(dir, 'tessera.json');
    writeFileSync(file, JSON.stringify({ ipRate: 1, port: 0, dataDir: dir, nodeId: 'from-file' }));
    const banner = await withServer(startCli(['dev', '--config', file]), async (s) => {
      expect(await postBatches(s.base, 3)).toEqual([202, 202, 429]);
      return s.banner;
    });
    expect(banner).toMatch(/\(node from-file,/);
  });

  it('dev keeps its own default node id when nothing overrides it', async () => {
    const banner = await withServer(
      startCli(['dev', '--port', '0', '--data-dir', dataDir()]),
      async (s) => s.banner,
    );
    expect(banner).toMatch(/\(node dev,/);
  });
});
