/**
 * `tessera dev` (what `npm start` runs) starts the demo shop with one
 * experiment running, so its dashboard shows visitors in arms; the shop's
 * site.json keeps it paused for `serve`, for `dev --paused`, and once an
 * operator has paused it (their choice outlives a restart).
 */
import { describe, expect, it } from 'vitest';
import { startCli, tempDirs } from './cli-process.js';

const TOKEN = 'demo-experiment-token-0123456789';
const dataDir = tempDirs('tessera-demo-');

async function statusAfterStart(args: string[], act?: (base: string) => Promise<void>): Promise<string> {
  const s = await startCli([...args, '--port', '0'], { TESSERA_ADMIN_TOKEN: TOKEN });
  try {
    await act?.(s.base);
    const res = await fetch(`${s.base}/admin/api/experiments/recs-strategy`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return ((await res.json()) as { status: string }).status;
  } finally {
    await s.stop();
  }
}

describe('the demo’s running experiment', () => {
  it('dev runs recs-strategy; serve and dev --paused keep site.json’s paused', async () => {
    expect(await statusAfterStart(['dev', '--data-dir', dataDir()])).toBe('running');
    expect(await statusAfterStart(['serve', '--data-dir', dataDir()])).toBe('paused');
    expect(await statusAfterStart(['dev', '--paused', '--data-dir', dataDir()])).toBe('paused');
  });

  it('an operator’s pause outlives a dev restart', async () => {
    const dir = dataDir();
    const pause = async (base: string) => {
      const res = await fetch(`${base}/admin/api/experiments/recs-strategy/pause`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
    };
    expect(await statusAfterStart(['dev', '--data-dir', dir], pause)).toBe('paused');
    expect(await statusAfterStart(['dev', '--data-dir', dir])).toBe('paused');
  });
});
