import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../profiles/memory.js';
import { createNodeRewriter } from '../../runtimes/node/html-rewriter.js';
import { createEngine } from '../engine.js';
import { jsonReply } from '../http/reply.js';
import { createKeyRing } from './keys.js';
import { newVisitorId, signId, verifySignedId } from './signed-id.js';

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
