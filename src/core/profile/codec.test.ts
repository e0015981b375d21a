import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../errors.js';
import type { Hlc, Profile } from '../types.js';
import { applyEvent } from './apply.js';
import { decodeProfile, encodeProfile } from './codec.js';
import { emptyProfile, eraseProfile } from './empty.js';
import { recordExposure } from './exposure.js';
import { PROFILE_LIMITS, PROFILE_MAX_BYTES, TEXT_LIMITS } from './limits.js';
import { mergeProfiles } from './merge.js';
import { arbProfile, event, HALF_LIFE, opts, T0 } from './test-helpers.js';
import { clampText } from './text.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function expectRejected(input: Uint8Array): void {
  try {
    decodeProfile(input);
  } catch (e) {
    expect(isTesseraError(e) && e.status === 400 && e.message.startsWith('[tessera] [profile]')).toBe(true);
    return;
  }
  throw new Error(`accepted ${new TextDecoder().decode(input).slice(0, 80)}`);
}

describe('profile codec', () => {
  it('round-trips every profile', () => {
    fc.assert(
      fc.property(arbProfile(20 * HALF_LIFE), arbProfile(400 * HALF_LIFE), (a, b) => {
        const p = recordExposure(mergeProfiles(a, b), 'item:a', 'n1', 2);
        expect(decodeProfile(encodeProfile(p))).toEqual(p);
      }),
    );
    expect(decodeProfile(encodeProfile(eraseProfile(T0)))).toEqual(eraseProfile(T0));
  });

  it('rejects garbage with a 400 TesseraError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => expectRejected(b)));
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        fc.pre(!(typeof v === 'object' && v !== null && (v as { v?: unknown }).v === 1));
        expectRejected(bytes(JSON.stringify(v)));
      }),
    );
  });

  it('rejects a profile with one field wrong', () => {
    const good = JSON.parse(
      new TextDecoder().decode(
        encodeProfile(applyEvent(emptyProfile(T0), event('view', 'e1', T0, 'a'), opts('n1', T0))),
      ),
    ) as Record<string, unknown>;
    const broken: Array<Record<string, unknown>> = [
      { landmark: 'yesterday' },
      { affinities: { 'item:a': { n1: -1 } } },
      { affinities: { 'item:a': { n1: Number.MAX_VALUE * 0 + Number.NaN } } },
      { affinities: { ['x'.repeat(200)]: { n1: 1 } } },
      { recent: [{ item: 'a', type: 'teleport', at: { p: 1, l: 0, n: 'n1' } }] },
      { recent: [{ item: 'a', type: 'view', at: { p: 1, l: -1, n: 'n1' } }] },
      { traits: { size: { v: { nested: true }, at: { p: 1, l: 0, n: 'n1' } } } },
      { consent: { v: { personalization: 'yes', analytics: false }, at: { p: 1, l: 0, n: 'n1' } } },
      { seen: ['not-a-hash'] },
      { suppressions: { 'item:a': '2030' } },
      { halfLifeMs: 0 },
      { v: 2 },
    ];
    for (const patch of broken) expectRejected(bytes(JSON.stringify({ ...good, ...patch })));
    expectRejected(new Uint8Array(PROFILE_MAX_BYTES + 1).fill(0x20));
  });
});

/** A string of exactly `n` bytes in JSON, unique per `i`. */
function wide(n: number, i: number, prefix = ''): string {
  const tail = `${prefix}${i}`;
  return clampText(`${tail}${'"'.repeat(n)}`, n);
}

describe('profile size cap', () => {
  it('holds for a profile filled to every limit with the widest strings', () => {
    const at = (i: number): Hlc => ({ p: 8.64e15, l: 0xffffffff, n: wide(TEXT_LIMITS.node, i) });
    const big = 0.0000012345678901234567; // 24 characters, the longest a positive double prints
    const p: Profile = {
      v: 1,
      landmark: -0.0000012345678901234567,
      halfLifeMs: 0.0000012345678901234567,
      affinities: {},
      counts: {},
      recent: [],
      traits: {},
      consent: { v: { personalization: false, analytics: false }, at: at(0) },
      userId: { v: wide(TEXT_LIMITS.userId, 0), at: at(0) },
      exposures: {},
      suppressions: {},
      seen: [],
    };
    for (let i = 0; i < PROFILE_LIMITS.affinities; i++)
      p.affinities[wide(TEXT_LIMITS.key, i)] = { [wide(TEXT_LIMITS.node, i)]: big };
    for (let i = 0; i < PROFILE_LIMITS.counts; i++)
      p.counts[wide(TEXT_LIMITS.eventType, i)] = { [wide(TEXT_LIMITS.node, i)]: big };
    for (let i = 0; i < PROFILE_LIMITS.recent; i++)
      p.recent.push({ item: wide(TEXT_LIMITS.item, i), type: 'add_to_cart', at: at(i) });
    for (let i = 0; i < PROFILE_LIMITS.traits; i++)
      p.traits[wide(TEXT_LIMITS.traitKey, i)] = { v: wide(TEXT_LIMITS.traitValue, i), at: at(i) };
    for (let i = 0; i < PROFILE_LIMITS.exposures; i++)
      p.exposures[wide(TEXT_LIMITS.exposureKey, i)] = { [wide(TEXT_LIMITS.node, i)]: 2 ** 53 - 1 };
    for (let i = 0; i < PROFILE_LIMITS.suppressions; i++)
      p.suppressions[wide(TEXT_LIMITS.key, i)] = 8.64e15 + i;
    for (let i = 0; i < PROFILE_LIMITS.seen; i++)
      p.seen.push(`${(8.64e15 - i).toString(36)}.${'f'.repeat(8)}`);
    const json = JSON.stringify(p);
    expect(String(big)).toHaveLength(24);
    const size = new TextEncoder().encode(json).byteLength;
    expect(size).toBeLessThanOrEqual(PROFILE_MAX_BYTES);
    expect(size).toBeGreaterThan(PROFILE_MAX_BYTES * 0.9); // or the limits are needlessly tight
    // The same profile must also be one the decoder accepts, i.e. a real worst case.
    expect(decodeProfile(bytes(json))).toBeDefined();
  });

  it('holds for long random event streams with long, wide ids', () => {
    const wideText = fc.string({ unit: 'binary', minLength: 30, maxLength: 120 });
    const arbEvt = fc.record({
      id: fc.string({ maxLength: 40 }),
      item: wideText,
      category: wideText,
      type: fc.constantFrom(
        'view',
        'purchase',
        'feedback',
        'identify',
        'form',
        'consent',
        'dwell',
      ) as fc.Arbitrary<'view'>,
      trait: wideText,
      node: wideText,
    });
    fc.assert(
      fc.property(fc.array(arbEvt, { minLength: 60, maxLength: 150 }), (evs) => {
        const attrs = new Map(
          evs.map((e) => [
            e.item,
            { category: e.category, brand: e.category, tags: [e.trait, e.item, e.category, e.node, 'x'] },
          ]),
        );
        let p = emptyProfile(T0);
        let replica = emptyProfile(T0);
        evs.forEach((e, i) => {
          const props = {
            kind: 'not_interested',
            userId: e.trait,
            traits: { [e.trait]: e.item },
            survey: { question: e.trait, answer: e.item },
          };
          const o = { ...opts(e.node, T0 + i * 1000, i), item: (id: string) => attrs.get(id) };
          p = applyEvent(p, { id: e.id, type: e.type, ts: T0 + i * 1000, item: e.item, props }, o);
          p = recordExposure(p, e.item, e.node, i + 1);
          if (i % 3 === 0)
            replica = applyEvent(replica, { id: `r${e.id}`, type: 'view', ts: T0 + i, item: e.category }, o);
        });
        const merged = mergeProfiles(p, replica);
        expect(encodeProfile(merged).byteLength).toBeLessThanOrEqual(PROFILE_MAX_BYTES);
        expect(decodeProfile(encodeProfile(merged))).toEqual(merged);
      }),
      { numRuns: 40 },
    );
  });
});
