import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFederationMessage,
  encodeClosing,
  encodePartial,
  type FederationState,
  isClosing,
  mergeFederation,
  type PartialSum,
  type RoundClosing,
  spentEpsilon,
  stateOf,
  winningClosing,
} from './partials.js';

const NODES = ['eu-1', 'us-2', 'ap-3'] as const;
const LENGTH = 4;

// Few distinct values, so the same (round, node) key often carries two different values.
const arbPartial: fc.Arbitrary<PartialSum> = fc.record({
  round: fc.integer({ min: 0, max: 2 }),
  node: fc.constantFrom(...NODES),
  clients: fc.integer({ min: 2, max: 4 }),
  sum: fc
    .array(fc.constantFrom(0, 1, 0xffffffff), { minLength: LENGTH, maxLength: LENGTH })
    .map((a) => Uint32Array.from(a)),
});

const arbClosing: fc.Arbitrary<RoundClosing> = fc.record({
  round: fc.integer({ min: 0, max: 2 }),
  closer: fc.constantFrom(...NODES),
  closedAt: fc.integer({ min: 1000, max: 1002 }),
  included: fc.dictionary(fc.constantFrom(...NODES), fc.integer({ min: 2, max: 4 }), { maxKeys: 3 }),
  clients: fc.integer({ min: 2, max: 12 }),
  z: fc.constantFrom(0.5, 1, 4),
  clip: fc.constant(1),
  delta: fc.constant(1e-5),
  denominator: fc.constant(12),
  learningRate: fc.constant(1),
  momentum: fc.constant(0.9),
  noisySum: fc
    .array(fc.constantFrom(-0.5, 0, 0.25), { minLength: LENGTH, maxLength: LENGTH })
    .map((a) => Float64Array.from(a)),
});

const arbMessage = fc.oneof(arbPartial, arbClosing);
const arbState = fc.array(arbMessage, { maxLength: 12 }).map(stateOf);

/** Canonical bytes of a state: every message encoded, sorted. */
function canonical(s: FederationState): string[] {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return [...[...s.partials.values()].map(encodePartial), ...[...s.closings.values()].map(encodeClosing)]
    .map(hex)
    .sort();
}

describe('federation partials and closings merge as a CRDT', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(arbState, arbState, (a, b) => {
        expect(canonical(mergeFederation(a, b))).toEqual(canonical(mergeFederation(b, a)));
      }),
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(arbState, arbState, arbState, (a, b, c) => {
        expect(canonical(mergeFederation(mergeFederation(a, b), c))).toEqual(
          canonical(mergeFederation(a, mergeFederation(b, c))),
        );
      }),
    );
  });

  it('is idempotent, by (round, node) for partials and (round, closer) for closings', () => {
    fc.assert(
      fc.property(arbState, arbState, (a, b) => {
        const ab = mergeFederation(a, b);
        expect(canonical(mergeFederation(a, a))).toEqual(canonical(a));
        expect(canonical(mergeFederation(ab, b))).toEqual(canonical(ab));
        expect(a.partials.size).toBeLessThanOrEqual(NODES.length * 3);
      }),
    );
  });

  it('ends in the same state, winners and ε whatever the delivery order and duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(arbMessage, { minLength: 1, maxLength: 15 }),
        fc.func(fc.integer()),
        fc.array(fc.nat(), { maxLength: 5 }),
        (messages, rank, dups) => {
          const reordered = messages
            .map((m, i) => ({ m, r: rank(i) }))
            .sort((x, y) => x.r - y.r)
            .map((x) => x.m);
          for (const d of dups) reordered.push(messages[d % messages.length]!);
          const a = stateOf(messages);
          const b = stateOf(reordered);
          expect(canonical(b)).toEqual(canonical(a));
          expect(spentEpsilon(b, 1e-5)).toBe(spentEpsilon(a, 1e-5));
          for (let r = 0; r <= 2; r++)
            expect(winningClosing(b, r)?.closer).toBe(winningClosing(a, r)?.closer);
        },
      ),
    );
  });

  it('keeps the closing of the lowest closer id and charges every closing', () => {
    const base = fc.sample(arbClosing, { numRuns: 1, seed: 1 })[0]!;
    const s = stateOf([
      { ...base, round: 0, closer: 'us-2', z: 2 },
      { ...base, round: 0, closer: 'eu-1', z: 2 },
    ]);
    expect(winningClosing(s, 0)?.closer).toBe('eu-1');
    expect(spentEpsilon(s, 1e-5)).toBeCloseTo(
      spentEpsilon(stateOf([{ ...base, round: 0, z: Math.SQRT2 }]), 1e-5),
    );
  });

  it('round-trips partials and closings through the wire format', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const back = decodeFederationMessage(isClosing(m) ? encodeClosing(m) : encodePartial(m));
        expect(canonical(stateOf([back]))).toEqual(canonical(stateOf([m])));
      }),
    );
    expect(() => decodeFederationMessage(new Uint8Array([9, 1, 0, 0, 0, 0]))).toThrow(/unknown version/);
  });

  it('decodes a message that is an unaligned view into a pooled Node Buffer (as NATS delivers it)', () => {
    const p: PartialSum = { round: 1, node: 'eu-1', clients: 3, sum: Uint32Array.from([1, 2, 0xffffffff]) };
    const pooled = Buffer.concat([Buffer.alloc(3, 7), Buffer.from(encodePartial(p)), Buffer.alloc(5, 9)]);
    const view = pooled.subarray(3, pooled.length - 5);
    expect(decodeFederationMessage(view)).toEqual(p);
  });
});
