/**
 * A restart in the middle, at the defaults `npm start` uses (the embedded
 * SQLite store, profiles written behind, the default rate limits): 24
 * visitors behind one IP post batches as fast as the node lets them (a 429
 * batch is sent again after its Retry-After, as the browser script does),
 * the node gets SIGTERM while they do, exits 0, and starts again on the same
 * data dir. Every event it acknowledged (202 with `stored`
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
import { ended, startCli, tempDirs } from './cli-process.js';

const dataDir = tempDirs('tessera-restart-');
const VISITORS = 24;
const BATCH = 5;
const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string }>;

/**
 * Posts batches for one visitor until the node stops answering: the ids of the batches
 * acknowledged, in order, and any answer that was none of that, a 429 or a 503.
 */
async function postUntilDown(
  base: string,
  cookie: string,
  v: number,
): Promise<{ acked: string[][]; odd: string[]; throttled: number }> {
  const acked: string[][] = [];
  const odd: string[] = [];
  let throttled = 0;
  for (let b = 0; ; ) {
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
      return { acked, odd, throttled }; // refused or reset: the node is going or gone
    }
    const body = await res.text().catch(() => '');
    if (res.status === 429) {
      throttled++;
      // Throttled: nothing taken; the same batch again once the node says so.
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(50, wait * 1000))));
      continue;
    }
    if (res.status === 202 && (JSON.parse(body) as { stored: number }).stored === BATCH)
      acked.push(events.map((e) => e.id));
    else if (res.status !== 503) odd.push(`visitor ${v}: ${res.status} ${body}`);
    b++;
  }
}

describe('a restart in the middle of ingest', () => {
  it('keeps every acknowledged event, in the log and in the profile', async () => {
    const dir = dataDir();
    const args = ['serve', '--port', '0', '--data-dir', dir];
    const first = await startCli(args);
    const ring = createKeyRing(readFileSync(join(dir, 'secret'), 'utf8').trim());
    const cookies = await Promise.all(
      Array.from(
        { length: VISITORS },
        async () => `tsr_id=${await signId(ring, newVisitorId())}; tsr_consent=p1.a1`,
      ),
    );
    const posting = cookies.map((cookie, v) => postUntilDown(first.base, cookie, v));
    await new Promise((r) => setTimeout(r, 2000));
    first.proc.kill('SIGTERM');
    const posted = await Promise.all(posting);
    expect(posted.flatMap((p) => p.odd)).toEqual([]);
    const acked = posted.map((p) => p.acked);
    const end = await ended(first);
    expect(end.how, end.output).toBe('0');
    const total = acked.reduce((n, a) => n + a.length * BATCH, 0);
    const throttled = posted.reduce((n, p) => n + p.throttled, 0);
    console.log(
      `[restart] ${total} events acknowledged from ${VISITORS} visitors behind one IP before SIGTERM (${throttled} batches throttled and sent again)`,
    );
    // The load ran: every visitor had batches taken before the signal.
    expect(acked.every((a) => a.length > 0)).toBe(true);

    const second = await startCli(args);
    try {
      for (let v = 0; v < VISITORS; v++) {
        const res = await fetch(`${second.base}/privacy/me`, { headers: { cookie: cookies[v]! } });
        expect(res.status).toBe(200);
        const x = (await res.json()) as VisitorExport;
        const logged = new Set(x.events.map((e) => e.id));
        const missing = acked[v]!.flat().filter((id) => !logged.has(id));
        expect(missing, `visitor ${v}: acknowledged, not in the log`).toEqual([]);
        // The newest acknowledged batch is folded into the profile the store holds.
        const seen = new Set(x.profile?.seen.map((s) => s.slice(s.indexOf('.') + 1)));
        const newest = acked[v]!.at(-1)!.map((id) => hex8(eventIdHash(id)));
        expect(
          newest.filter((h) => !seen.has(h)),
          `visitor ${v}: newest batch not in the stored profile`,
        ).toEqual([]);
      }
    } finally {
      await second.stop();
    }
  }, 60_000);
});
