/**
 * A restart in the middle, at the defaults `npm start` uses (the embedded
 * SQLite store, profiles written behind): 40 visitors post batches as fast as
 * the node answers, the node gets SIGTERM while they do, exits 0, and starts
 * again on the same data dir. Every event it acknowledged (202 with `stored`
 * equal to the batch) is in the visitor's export afterwards: in the event log,
 * and folded into the stored profile (the newest batch among its `seen`
 * entries), so the flush at shutdown wrote what was still behind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyRing, newVisitorId, signId } from '../../src/core/identity/index.js';
import type { VisitorExport } from '../../src/core/privacy/export.js';
import { eventIdHash } from '../../src/core/profile/fold-seen.js';
import { hex8 } from '../../src/core/profile/hash.js';
import { startCli, tempDirs } from './cli-process.js';

const dataDir = tempDirs('tessera-restart-');
const VISITORS = 40;
const BATCH = 5;
const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string }>;

/**
 * Posts batches for one visitor until the node stops answering: the ids of the batches
 * acknowledged, in order, and any answer that was neither that nor a 503.
 */
async function postUntilDown(
  base: string,
  cookie: string,
  v: number,
): Promise<{ acked: string[][]; odd: string[] }> {
  const acked: string[][] = [];
  const odd: string[] = [];
  for (let b = 0; ; b++) {
    const events = Array.from({ length: BATCH }, (_, i) => ({
      id: `r${v}-${b}-${i}`,
      type: 'click', // views of an item seen in the last 30 s are dropped as repeats: clicks are all kept
      ts: Date.now(),
      item: catalog[(v * 7 + b + i) % catalog.length]!.id,
    }));
    let res: Response;
    try {
      res = await fetch(`${base}/collect`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', cookie, origin: base },
        body: JSON.stringify({ events }),
      });
    } catch {
      return { acked, odd }; // refused or reset: the node is going or gone
    }
    const body = await res.text().catch(() => '');
    if (res.status === 202 && (JSON.parse(body) as { stored: number }).stored === BATCH)
      acked.push(events.map((e) => e.id));
    else if (res.status !== 503) odd.push(`visitor ${v}: ${res.status} ${body}`);
  }
}

describe('a restart in the middle of ingest', () => {
  it('keeps every acknowledged event, in the log and in the profile', async () => {
    const dir = dataDir();
    const args = [
      'serve',
      '--port',
      '0',
      '--data-dir',
      dir,
      '--ip-rate',
      '100000',
      '--visitor-rate',
      '100000',
    ];
    const first = await startCli(args);
    const ring = createKeyRing(readFileSync(join(dir, 'secret'), 'utf8').trim());
    const cookies = await Promise.all(
      Array.from(
        { length: VISITORS },
        async () => `tsr_id=${await signId(ring, newVisitorId())}; tsr_consent=p1.a1`,
      ),
    );
    const posting = cookies.map((cookie, v) => postUntilDown(first.base, cookie, v));
    await new Promise((r) => setTimeout(r, 1500));
    first.proc.kill('SIGTERM');
    const posted = await Promise.all(posting);
    expect(posted.flatMap((p) => p.odd)).toEqual([]);
    const acked = posted.map((p) => p.acked);
    const code = await new Promise<number | null>((r) =>
      first.proc.exitCode !== null ? r(first.proc.exitCode) : first.proc.once('exit', (c) => r(c)),
    );
    expect(code, first.output.join('')).toBe(0);
    const total = acked.reduce((n, a) => n + a.length * BATCH, 0);
    console.log(`[restart] ${total} events acknowledged from ${VISITORS} visitors before SIGTERM`);
    // The load ran: every visitor had batches taken before the signal.
    expect(acked.every((a) => a.length > 0)).toBe(true);

    const second = await startCli(args);
    try {
      let found = 0;
      for (let v = 0; v < VISITORS; v++) {
        const res = await fetch(`${second.base}/privacy/me`, { headers: { cookie: cookies[v]! } });
        expect(res.status).toBe(200);
        const x = (await res.json()) as VisitorExport;
        const logged = new Set(x.events.map((e) => e.id));
        const missing = acked[v]!.flat().filter((id) => !logged.has(id));
        expect(missing, `visitor ${v}: acknowledged, not in the log`).toEqual([]);
        found += acked[v]!.length * BATCH;
        // The newest acknowledged batch is folded into the profile the store holds.
        const seen = new Set(x.profile?.seen.map((s) => s.slice(s.indexOf('.') + 1)));
        const newest = acked[v]!.at(-1)!.map((id) => hex8(eventIdHash(id)));
        expect(
          newest.filter((h) => !seen.has(h)),
          `visitor ${v}: newest batch not in the stored profile`,
        ).toEqual([]);
      }
      expect(found).toBe(total);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
