import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../profiles/memory.js';
import { createNodeRewriter } from '../../runtimes/node/html-rewriter.js';
import { createEngine } from '../engine.js';
import { jsonReply } from '../http/reply.js';
import { createKeyRing } from './keys.js';
import type { VisitorIdSource } from './signed-id.js';
import { checkedVisitorIds, newVisitorId, signId, verifySignedId } from './signed-id.js';

const SECRET_A = 'ring-a-secret-that-is-long-enough-0001';
const SECRET_B = 'ring-b-secret-that-is-long-enough-0002';

/** An engine whose only route answers with the visitor id its key ring verifies in the `id` cookie. */
function engineWithSecret(secret: string) {
  const stores = createMemoryStore();
  return createEngine(
    { site: { name: 'memo test', segments: [], slots: {} }, catalog: [], settings: { secret } },
    {
      profiles: stores.profiles,
      events: stores.events,
      rewriter: createNodeRewriter,
      routes: [
        {
          prefix: '/whoami',
          handle: async (req, ctx) => {
            const value = new URL(req.url).searchParams.get('v') ?? undefined;
            return jsonReply(200, { id: (await ctx.verifySignedId(value)) ?? null });
          },
        },
      ],
    },
  );
}

describe('verified id memo', () => {
  it('accepts a value only under the ring that signed it, even after that ring verified (memoised) it', async () => {
    const a = createKeyRing(SECRET_A);
    const b = createKeyRing(SECRET_B);
    const id = newVisitorId();
    const signedByA = await signId(a, id);
    expect(await verifySignedId(a, signedByA)).toBe(id);
    expect(await verifySignedId(a, signedByA)).toBe(id); // from the memo
    expect(await verifySignedId(b, signedByA)).toBeUndefined();
  });

  it('keeps one memo per ring even when two rings hold the same secret', async () => {
    const a1 = createKeyRing(SECRET_A);
    const a2 = createKeyRing(SECRET_A);
    const signed = await signId(a1, newVisitorId());
    expect(await verifySignedId(a1, signed)).toBe(await verifySignedId(a2, signed));
  });

  it('refuses in engine B an id cookie engine A (another key ring, same process) accepted', async () => {
    const engineA = engineWithSecret(SECRET_A);
    const engineB = engineWithSecret(SECRET_B);
    const id = newVisitorId();
    const cookie = await signId(createKeyRing(SECRET_A), id);
    const ask = async (engine: ReturnType<typeof engineWithSecret>) => {
      const res = await engine.fetch(new Request(`http://shop.test/whoami?v=${encodeURIComponent(cookie)}`));
      return ((await res.json()) as { id: string | null }).id;
    };
    expect(await ask(engineA)).toBe(id);
    expect(await ask(engineA)).toBe(id);
    expect(await ask(engineB)).toBeNull();
    expect(await ask(engineA)).toBe(id);
  });
});

describe("a host's visitor id source", () => {
  const errors: string[] = [];
  /** An engine minting ids from `visitorIds`, its logged errors in `errors`. */
  function engineMinting(visitorIds: VisitorIdSource) {
    const stores = createMemoryStore();
    const log = (m: string, f?: Record<string, unknown>) => errors.push(`${m} ${String(f?.error ?? '')}`);
    return createEngine(
      { site: { name: 'ids', segments: [], slots: {} }, catalog: [], settings: { secret: SECRET_A } },
      {
        profiles: stores.profiles,
        events: stores.events,
        rewriter: createNodeRewriter,
        visitorIds,
        logger: { debug() {}, info() {}, warn() {}, error: log },
      },
    );
  }
  /** A consent grant through /collect (it mints the id), with the id cookie when there is one. */
  const grant = (engine: ReturnType<typeof engineMinting>, cookie?: string) =>
    engine.fetch(
      new Request('http://shop.test/collect', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({
          events: [
            { id: `c-${Math.random()}`, type: 'consent', ts: Date.now(), props: { personalization: true } },
          ],
        }),
      }),
    );
  const idCookie = (res: Response) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith('tsr_id='))
      ?.split(';')[0];

  it("lets through ids of the signed id's shape, and names the expected format for any other", () => {
    const good = newVisitorId();
    expect(checkedVisitorIds(() => good)()).toBe(good);
    for (const bad of ['visitor-1', `${good}x`, `${good.slice(0, 21)}=`, ''])
      expect(() => checkedVisitorIds(() => bad)()).toThrow(
        /^\[tessera\] \[config\] visitorIds returned ".*": an anonymous id must be 22 base64url characters/,
      );
    expect(() => checkedVisitorIds(() => 7 as unknown as string)()).toThrow(/visitorIds returned number/);
  });

  it('keeps a visitor on the id minted from a well-shaped source', async () => {
    let n = 0;
    const engine = engineMinting(() => `well-shaped-id-${String(n++).padStart(7, '0')}`);
    const first = await grant(engine);
    expect(idCookie(first)).toMatch(/^tsr_id=well-shaped-id-0000000\./);
    // The browser sends back what it was given: the signed id and the consent.
    const jar = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const again = await grant(engine, jar);
    expect(again.status).toBe(202);
    expect(idCookie(again)).toBeUndefined(); // the cookie verified: no new visitor
    expect(n).toBe(1);
  });

  it('fails the request loudly, naming the format, rather than minting a visitor per request', async () => {
    errors.length = 0;
    let n = 0;
    const engine = engineMinting(() => `visitor-${n++}`);
    const res = await grant(engine);
    expect(res.status).toBe(500);
    expect(idCookie(res)).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('[tessera] [config] visitorIds returned "visitor-0"');
    expect(errors[0]).toContain('22 base64url characters');
  });
});
