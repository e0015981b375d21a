import { describe, expect, it } from 'vitest';
import { RoundNotClosedError, SecureAggregationRound } from './round.js';
import { addInRing, dequantize, fixedPointScale, MaskingClient, quantize } from './secure-agg.js';

const LENGTH = 4096;

function updates(n: number): Float32Array[] {
  let s = 7;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  return Array.from({ length: n }, () => Float32Array.from({ length: LENGTH }, () => next() * 0.01));
}

async function runRound(
  n: number,
  o: { neighbours?: number; minClients?: number; drop?: number[] } = {},
): Promise<{
  round: SecureAggregationRound;
  masked: Map<number, Uint32Array>;
  clients: MaskingClient[];
  plain: Uint32Array[];
}> {
  const scale = fixedPointScale(1, n);
  const clients = await Promise.all(Array.from({ length: n }, (_, i) => MaskingClient.create(i)));
  const round = new SecureAggregationRound({
    round: 3,
    length: LENGTH,
    minClients: o.minClients ?? 2,
    ...(o.neighbours !== undefined ? { neighbours: o.neighbours } : {}),
  });
  for (const c of clients) round.register(c.id, c.publicKey);
  const plain = updates(n).map((u) => quantize(u, scale));
  const masked = new Map<number, Uint32Array>();
  for (const c of clients) {
    if (o.drop?.includes(c.id)) continue;
    const m = await c.mask(3, plain[c.id]!, round.peersOf(c.id));
    masked.set(c.id, m);
    round.submit(c.id, m);
  }
  for (const [id, peers] of round.unmaskRequests()) round.reveal(id, clients[id]!.reveal(3, peers));
  return { round, masked, clients, plain };
}

const ringSum = (xs: Uint32Array[]): Uint32Array => {
  const acc = new Uint32Array(LENGTH);
  for (const x of xs) addInRing(acc, x);
  return acc;
};

/** Pearson χ² of the byte histogram against uniform (255 degrees of freedom). */
function byteChiSquare(words: Uint32Array): number {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const counts = new Float64Array(256);
  for (const b of bytes) counts[b]!++;
  const expected = bytes.length / 256;
  let chi = 0;
  for (const c of counts) chi += (c - expected) ** 2 / expected;
  return chi;
}

describe('secure aggregation', () => {
  it('reveals the exact sum of the quantized updates', async () => {
    const { round, plain } = await runRound(6);
    const { sum } = await round.close();
    expect(Array.from(sum)).toEqual(Array.from(ringSum(plain)));
  });

  it('recovers the exact sum with a sparse neighbour graph', async () => {
    const { round, plain } = await runRound(9, { neighbours: 4 });
    expect(round.peersOf(0).length).toBe(4);
    const { sum } = await round.close();
    expect(Array.from(sum)).toEqual(Array.from(ringSum(plain)));
  });

  it('shows the server one masked update that is indistinguishable from uniform bytes', async () => {
    const { masked, plain } = await runRound(4);
    // 16 KiB: χ² with 255 d.o.f. has mean 255, sd ≈ 22.6; 350 is beyond p ≈ 1e-4.
    expect(byteChiSquare(masked.get(1)!)).toBeLessThan(350);
    // The same test does see the structure of the unmasked update (small signed integers).
    expect(byteChiSquare(plain[1]!)).toBeGreaterThan(10_000);
    // And bit by bit: each of the 32 bit positions is set about half the time.
    const m = masked.get(1)!;
    for (let bit = 0; bit < 32; bit++) {
      let ones = 0;
      for (const w of m) ones += (w >>> bit) & 1;
      expect(Math.abs(ones - LENGTH / 2)).toBeLessThan(4 * Math.sqrt(LENGTH / 4));
    }
  });

  it('yields the exact sum of the survivors when a client drops mid-round', async () => {
    const { round, plain } = await runRound(6, { drop: [2] });
    const { sum, survivors, dropped } = await round.close();
    expect(dropped).toEqual([2]);
    expect(survivors).toEqual([0, 1, 3, 4, 5]);
    expect(Array.from(sum)).toEqual(Array.from(ringSum(plain.filter((_, i) => i !== 2))));
    expect(Math.abs(dequantize(sum, fixedPointScale(1, 6))[0]!)).toBeLessThan(1);
  });

  it('does not close with fewer than minClients survivors', async () => {
    const { round } = await runRound(5, { minClients: 4, drop: [0, 3] });
    await expect(round.close()).rejects.toBeInstanceOf(RoundNotClosedError);
  });

  it('does not close when a survivor withholds a seed of a dropped peer', async () => {
    const scale = fixedPointScale(1, 3);
    const clients = await Promise.all([0, 1, 2].map((i) => MaskingClient.create(i)));
    const round = new SecureAggregationRound({ round: 0, length: LENGTH, minClients: 2 });
    for (const c of clients) round.register(c.id, c.publicKey);
    for (const c of clients.slice(0, 2))
      round.submit(c.id, await c.mask(0, quantize(new Float32Array(LENGTH), scale), round.peersOf(c.id)));
    round.reveal(0, clients[0]!.reveal(0, [2]));
    await expect(round.close()).rejects.toThrow(/did not reveal/);
  });

  it('wraps negative values through the ring and back', () => {
    const v = Float32Array.from([-0.5, 0.25, -1, 1]);
    expect(Array.from(dequantize(quantize(v, 2 ** 20), 2 ** 20))).toEqual([-0.5, 0.25, -1, 1]);
  });
});
