import { afterEach, describe, expect, it, vi } from 'vitest';
import { takePart } from '../browser/federated/protocol.js';
import type { RequestLike } from '../core/context.js';
import type { RouteContext } from '../core/engine-api.js';
import { trainLocally } from './client.js';
import { FederatedCoordinator } from './coordinator.js';
import { federatedRoute } from './routes.js';
import { clipBeforeRounding } from './secure-agg.js';

const ITEMS = Array.from({ length: 12 }, (_, i) => `sku-${i}`);
const DIM = 4;

function coordinator(clients: number, now = Date.now): FederatedCoordinator {
  return new FederatedCoordinator({
    items: ITEMS,
    dim: DIM,
    clip: 1,
    clientsPerRound: clients,
    epsilon: Number.POSITIVE_INFINITY,
    delta: 1e-5,
    rounds: 5,
    local: { epochs: 2, learningRate: 0.1, alpha: 1, lambda: 1 },
    submitMs: 200,
    now,
  });
}

/** Routes the browser code's fetch calls to the engine route, and keeps every body it sent. */
function wire(c: FederatedCoordinator): string[] {
  const route = federatedRoute(c);
  const bodies: string[] = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    bodies.push(body);
    const req: RequestLike = {
      method: init?.method ?? 'GET',
      url,
      headers: { get: () => null },
      text: async () => body,
    };
    const reply = await route.handle(req, {} as RouteContext, new URL(url).pathname);
    return new Response(reply.body as string, { status: reply.status });
  });
  return bodies;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

function updateFor(c: FederatedCoordinator, items: number[]): Float32Array {
  return trainLocally(
    c.server.items,
    { items: Int32Array.from(items), values: new Float32Array(items.length).fill(1) },
    {
      dim: DIM,
      alpha: 1,
      lambda: 1,
      epochs: 2,
      learningRate: 0.1,
      clip: clipBeforeRounding(1, c.length, c.scale),
    },
  ).delta;
}

describe('federated round endpoints', () => {
  it('close a round from masked updates only and move the table by their sum', async () => {
    const c = coordinator(4);
    const bodies = wire(c);
    const before = Float32Array.from(c.server.items);
    const deltas = [[0, 1], [1, 2], [2, 3], [5]].map((items) => updateFor(c, items));
    const rounds = await Promise.all(deltas.map((d) => takePart('http://edge', d, c.scale, 5)));
    expect(rounds).toEqual([0, 0, 0, 0]);
    expect(c.history).toEqual([{ round: 0, survivors: 4, dropped: 0, epsilon: Number.POSITIVE_INFINITY }]);
    expect(c.version).toBe(1);
    // First round, momentum starts at 0: Y moves by exactly sum / clientsPerRound (up to quantization).
    for (let q = 0; q < before.length; q++) {
      const mean = deltas.reduce((s, d) => s + d[q]!, 0) / 4;
      expect(c.server.items[q]! - before[q]!).toBeCloseTo(mean, 4);
    }
    // No body carried a plain update: the submitted words are masked, not the quantized delta.
    const submits = bodies.filter((b) => b.includes('"masked"'));
    expect(submits).toHaveLength(4);
    for (const [i, d] of deltas.entries()) {
      const plain = new Int32Array(d.length);
      for (let q = 0; q < d.length; q++) plain[q] = Math.round(d[q]! * c.scale);
      const words = submits.map((b) => JSON.parse(b).masked as string);
      const plainB64 = Buffer.from(plain.buffer).toString('base64url');
      expect(words, `client ${i}`).not.toContain(plainB64);
    }
  });

  it('recovers from a client that joined and never sent its update', async () => {
    let t = 0;
    const c = coordinator(4, () => t);
    wire(c);
    const deltas = [[0], [1], [2]].map((items) => updateFor(c, items));
    const route = federatedRoute(c);
    // The fourth client joins, then goes away.
    const key = new Uint8Array(65);
    key[0] = 4;
    const { generateMaskingKeys } = await import('./secure-agg.js');
    const ghost = await generateMaskingKeys();
    const join = await route.handle(
      {
        method: 'POST',
        url: 'http://edge/federated/join',
        headers: { get: () => null },
        text: async () => JSON.stringify({ publicKey: Buffer.from(ghost.publicKey).toString('base64url') }),
      },
      {} as RouteContext,
      '/federated/join',
    );
    expect(join.status).toBe(200);
    const parts = deltas.map((d) => takePart('http://edge', d, c.scale, 5));
    // Once the three submitted, the submission window passes.
    await vi.waitFor(() => expect(c.phase).toBe('submit'));
    await new Promise((r) => setTimeout(r, 50));
    t += 1_000;
    expect(await Promise.all(parts)).toEqual([0, 0, 0]);
    expect(c.history).toEqual([{ round: 0, survivors: 3, dropped: 1, epsilon: Number.POSITIVE_INFINITY }]);
  });

  it('refuses bad input: a short update, a wrong token, a malformed key', async () => {
    const c = coordinator(2);
    const route = federatedRoute(c);
    const call = (path: string, body: unknown) =>
      route.handle(
        {
          method: 'POST',
          url: `http://edge${path}`,
          headers: { get: () => null },
          text: async () => JSON.stringify(body),
        },
        {} as RouteContext,
        path,
      );
    expect((await call('/federated/join', { publicKey: 'AAAA' })).status).toBe(400);
    const { generateMaskingKeys } = await import('./secure-agg.js');
    const joined = JSON.parse(
      (
        await call('/federated/join', {
          publicKey: Buffer.from((await generateMaskingKeys()).publicKey).toString('base64url'),
        })
      ).body as string,
    );
    expect((await call('/federated/keys', { ...joined, token: 'nope' })).status).toBe(403);
    await call('/federated/join', {
      publicKey: Buffer.from((await generateMaskingKeys()).publicKey).toString('base64url'),
    });
    const short = await call('/federated/submit', {
      ...joined,
      masked: Buffer.alloc(8).toString('base64url'),
    });
    expect(short.status).toBe(400);
    expect((await call('/federated/nothing', {})).status).toBe(404);
  });
});
