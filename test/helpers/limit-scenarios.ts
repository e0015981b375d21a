/**
 * Crowds and floods against the `/collect` guard on a fake clock, for any
 * rate limiter: the memory one (src/core/limits) and Redis
 * (src/stores/redis-rate-limit.test.ts) must both let a crowd behind one NAT
 * through and stop floods. Visitor ids are really signed and verified; the
 * handler behind the guard answers what a batch of that kind would get
 * (202, or 400/413 for junk).
 */
import { describe, expect, it } from 'vitest';
import type { RequestLike } from '../../src/core/context.js';
import { TesseraError } from '../../src/core/errors.js';
import type { Reply } from '../../src/core/http/reply.js';
import { createKeyRing, newVisitorId, signId, verifySignedId } from '../../src/core/identity/index.js';
import {
  createCollectGuard,
  DEFAULT_LIMIT_SETTINGS,
  type LimitSettings,
  type RateLimiter,
} from '../../src/core/limits/index.js';
import { silentLogger } from '../../src/core/ports.js';

const ring = createKeyRing('limit-scenarios-secret-limit-scenarios-0');
const T0 = 1_700_000_000_000;
const NAT = '203.0.113.7';

/** What a batch is, as far as the guard and the answer behind it go. */
type Kind = 'valid' | 'not-json' | 'too-large';

interface Sender {
  /** The `tsr_id` cookie value sent, if any. */
  cookie?: string;
  /** Batches per second. */
  rate: number;
  /** First send, ms after the start (spreads a crowd over the second). */
  offsetMs: number;
  kind: Kind;
}

interface Tally {
  sent: number;
  throttled: number;
}

export async function signedIds(n: number): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, () => signId(ring, newVisitorId())));
}

/** Well-formed `<id>.<signature>` values that no key of ours signed. */
export function forgedIds(n: number): string[] {
  return Array.from({ length: n }, () => `${newVisitorId()}.${newVisitorId()}`);
}

function post(cookie: string | undefined, kind: Kind): RequestLike & { clientIp: string } {
  const headers = new Map<string, string>();
  if (cookie) headers.set('cookie', `tsr_consent=p1.a1; tsr_id=${cookie}`);
  return {
    method: 'POST',
    url: 'http://shop.test/collect',
    headers: { get: (n) => headers.get(n) ?? null },
    text: async () => (kind === 'valid' ? '{"events":[]}' : 'junk'),
    clientIp: NAT,
  };
}

async function answer(kind: Kind): Promise<Reply> {
  if (kind === 'too-large')
    throw new TesseraError(413, '[tessera] [collect] body is larger than 65536 bytes');
  return { status: kind === 'valid' ? 202 : 400, headers: {}, cookies: [], body: null };
}

/**
 * Runs every sender for `seconds` of fake time from one address and returns a
 * tally per sender group. Requests due at the same millisecond go concurrently.
 */
export async function drive(
  limiter: RateLimiter,
  groups: Record<string, Sender[]>,
  seconds: number,
  settings: LimitSettings = DEFAULT_LIMIT_SETTINGS,
): Promise<Record<string, Tally>> {
  let now = T0;
  const guard = createCollectGuard({
    settings,
    limiter,
    idCookie: 'tsr_id',
    verifyId: async (raw) => (await verifySignedId(ring, raw)) !== undefined,
    logger: silentLogger,
    now: () => now,
  });
  const due = new Map<number, Array<{ group: string; sender: Sender }>>();
  for (const [group, senders] of Object.entries(groups)) {
    for (const sender of senders) {
      const period = 1000 / sender.rate;
      for (let t = sender.offsetMs; t < seconds * 1000; t += period) {
        const at = Math.floor(t);
        const list = due.get(at) ?? [];
        list.push({ group, sender });
        due.set(at, list);
      }
    }
  }
  const tally: Record<string, Tally> = {};
  for (const group of Object.keys(groups)) tally[group] = { sent: 0, throttled: 0 };
  for (const at of [...due.keys()].sort((a, b) => a - b)) {
    now = T0 + at;
    await Promise.all(
      (due.get(at) ?? []).map(async ({ group, sender }) => {
        const t = tally[group]!;
        t.sent++;
        let status: number;
        try {
          status = (await guard.run(post(sender.cookie, sender.kind), () => answer(sender.kind))).status;
        } catch (e) {
          status = (e as TesseraError).status;
        }
        if (status === 429) t.throttled++;
      }),
    );
  }
  return tally;
}

const spread = (cookies: Array<string | undefined>, rate: number, kind: Kind = 'valid'): Sender[] =>
  cookies.map((cookie, i) => ({
    ...(cookie ? { cookie } : {}),
    rate,
    // Ten senders share a millisecond: they reach the limiter concurrently.
    offsetMs: (i * 10) % Math.floor(1000 / rate),
    kind,
  }));

/** The scenarios every limiter must pass; `make` gives a fresh, empty limiter. */
export function limitScenarios(name: string, make: () => Promise<RateLimiter>): void {
  describe(`/collect limits on a crowd and floods behind one IP: ${name}`, () => {
    async function withLimiter<T>(fn: (l: RateLimiter) => Promise<T>): Promise<T> {
      const l = await make();
      try {
        return await fn(l);
      } finally {
        await l.close();
      }
    }

    it('lets 500 visitors behind one NAT send 2 batches/s each for 10 s without a 429', async () => {
      const t = await withLimiter(async (l) =>
        drive(
          l,
          {
            visitors: spread(await signedIds(500), 2),
            // Analytics-only visitors have no id; their batches count against the IP.
            idless: spread(
              Array.from({ length: 40 }, () => undefined),
              2,
            ),
          },
          10,
        ),
      );
      expect(t.visitors).toEqual({ sent: 10_000, throttled: 0 });
      expect(t.idless).toEqual({ sent: 800, throttled: 0 });
    }, 30_000);

    it('stops a flood without ids or with forged ids, and the real visitors on that IP go on', async () => {
      const t = await withLimiter(async (l) =>
        drive(
          l,
          {
            noId: spread(
              Array.from({ length: 10 }, () => undefined),
              100,
            ),
            forged: spread(forgedIds(10), 100),
            visitors: spread(await signedIds(20), 2),
          },
          5,
        ),
      );
      // The IP bucket lets in its burst and its rate: 400 + 200/s × 5 s of the 10,000.
      const admitted = t.noId!.sent + t.forged!.sent - t.noId!.throttled - t.forged!.throttled;
      expect(admitted).toBeLessThanOrEqual(1400);
      expect(t.visitors).toEqual({ sent: 200, throttled: 0 });
    }, 30_000);

    it('drains the IP bucket ten times faster with junk bodies (400, 413)', async () => {
      const t = await withLimiter(async (l) =>
        drive(
          l,
          {
            notJson: spread(
              Array.from({ length: 5 }, () => undefined),
              100,
              'not-json',
            ),
            tooLarge: spread(forgedIds(5), 100, 'too-large'),
          },
          5,
        ),
      );
      const admitted = t.notJson!.sent + t.tooLarge!.sent - t.notJson!.throttled - t.tooLarge!.throttled;
      expect(t.notJson!.sent + t.tooLarge!.sent).toBe(5000);
      // (400 + 1000) / 10 tokens each, and a few that got in before their charge landed.
      expect(admitted).toBeLessThanOrEqual(160);
    }, 30_000);

    it('throttles one visitor over their own rate, not their neighbours', async () => {
      const [greedy, ...others] = await signedIds(11);
      const t = await withLimiter(async (l) =>
        drive(l, { greedy: spread([greedy], 100), others: spread(others, 2) }, 5),
      );
      // 40 burst + 20/s × 5 s of 500.
      expect(t.greedy!.sent - t.greedy!.throttled).toBeLessThanOrEqual(140);
      expect(t.greedy!.sent - t.greedy!.throttled).toBeGreaterThanOrEqual(130);
      expect(t.others).toEqual({ sent: 100, throttled: 0 });
    }, 30_000);

    it('caps every batch from one IP at the ceiling, however many valid ids it minted', async () => {
      // A lower ceiling than the default, so Redis runs the case in a second: the rule is the same.
      const settings = { ...DEFAULT_LIMIT_SETTINGS, ipCeiling: { rate: 500, burst: 1000 } };
      const t = await withLimiter(async (l) =>
        drive(l, { minted: spread(await signedIds(200), 10) }, 2, settings),
      );
      // 200 ids × 10/s (under their own 20/s) × 2 s = 4,000; the ceiling lets 1,000 + 500/s × 2 s in.
      expect(t.minted!.sent).toBe(4000);
      expect(t.minted!.sent - t.minted!.throttled).toBeLessThanOrEqual(2000);
    }, 30_000);
  });
}
