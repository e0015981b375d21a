import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_LENGTH, type VariantKeyInput, variantKey } from './variant-key.js';

const base: VariantKeyInput = {
  path: '/product/p-1',
  segments: ['runners', 'mobile'],
  arms: { hero: 'b' },
  personalized: true,
};

describe('variantKey', () => {
  it('has the documented format', () => {
    expect(variantKey(base)).toBe('v1|/product/p-1|p=1|s=mobile,runners|x=hero:b');
    expect(variantKey({ ...base, contextKeys: { country: 'DE', lang: 'de' } })).toBe(
      'v1|/product/p-1|p=1|s=mobile,runners|x=hero:b|c=country:DE,lang:de',
    );
    expect(variantKey({ path: '/', segments: [], arms: {}, personalized: false })).toBe('v1|/|p=0');
  });

  it('does not depend on the order of segments, arms or context keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 6 }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 4 }),
        (segments, arms) => {
          const a = variantKey({ ...base, segments, arms });
          const reversedArms = Object.fromEntries(Object.entries(arms).reverse());
          const b = variantKey({ ...base, segments: [...segments].reverse(), arms: reversedArms });
          expect(b).toBe(a);
        },
      ),
    );
  });

  it('ignores duplicate segments', () => {
    expect(variantKey({ ...base, segments: ['mobile', 'runners', 'mobile'] })).toBe(variantKey(base));
  });

  it('tells apart variants that differ in any input', () => {
    const keys = new Set([
      variantKey(base),
      variantKey({ ...base, personalized: false }),
      variantKey({ ...base, path: '/product/p-2' }),
      variantKey({ ...base, segments: ['mobile'] }),
      variantKey({ ...base, arms: { hero: 'a' } }),
      variantKey({ ...base, arms: { hero: 'b', cta: 'a' } }),
      variantKey({ ...base, contextKeys: { country: 'DE' } }),
    ]);
    expect(keys.size).toBe(7);
  });

  it('cannot be confused by separators inside names', () => {
    // Without encoding both would read "s=a,b".
    expect(variantKey({ ...base, segments: ['a,b'] })).not.toBe(
      variantKey({ ...base, segments: ['a', 'b'] }),
    );
    expect(variantKey({ ...base, arms: { 'x:y': 'z' } })).not.toBe(
      variantKey({ ...base, arms: { x: 'y:z' } }),
    );
    expect(variantKey({ ...base, path: '/a|p=1' })).not.toContain('/a|p=1');
  });

  it('is a valid header value for any path, and tells apart paths that differ only in encoding', () => {
    const odd = ['/a\n', '/a%0A', '/a|p=1', '/a%7Cp=1', '/?\u2603', '/%3F%E2%98%83', '/a b', '/\uD800'];
    const keys = odd.map((path) => variantKey({ ...base, path }));
    for (const k of keys) expect(k).toMatch(/^[\x21-\x7e]*$/);
    expect(new Set(keys).size).toBe(odd.length);
    expect(variantKey({ ...base, path: '/category/running\r\nX-Evil: 1' })).toBe(
      'v1|/category/running%0D%0AX-Evil:%201|p=1|s=mobile,runners|x=hero:b',
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (tail) => {
        expect(variantKey({ ...base, path: `/${tail}` })).toMatch(/^[\x21-\x7e]*$/);
      }),
    );
  });

  it('never contains the visitor id, even when a caller passes one along', () => {
    const visitor = 'v-5f1d2c9e-0a7b-4c1e-9d3f-1234567890ab';
    const withExtra = { ...base, visitor, id: visitor } as VariantKeyInput;
    expect(variantKey(withExtra)).not.toContain(visitor);
    expect(variantKey(withExtra)).toBe(variantKey(base));
  });

  it('hashes long keys but keeps the path readable', () => {
    const segments = Array.from({ length: 60 }, (_, i) => `segment-number-${i}`);
    const key = variantKey({ ...base, segments });
    expect(key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(key).toMatch(/^v1\|\/product\/p-1\|h=[0-9a-f]{16}$/);
    expect(variantKey({ ...base, segments: [...segments].reverse() })).toBe(key);
    expect(variantKey({ ...base, segments: segments.slice(1) })).not.toBe(key);
  });

  it('hashes the whole key when the path itself is long', () => {
    const key = variantKey({ ...base, path: `/${'x'.repeat(300)}` });
    expect(key).toMatch(/^v1\|h=[0-9a-f]{16}$/);
  });

  it('gives a remembered key only for the same inputs: each field, added or changed, makes its own', () => {
    const input: VariantKeyInput = {
      path: '/memo',
      segments: ['a', 'b'],
      arms: { hero: 'x', recs: 'y' },
      personalized: true,
      contextKeys: { country: 'DE' },
    };
    const first = variantKey(input);
    expect(variantKey({ ...input, segments: ['a', 'b'], arms: { recs: 'y', hero: 'x' } })).toBe(first);
    const variants: VariantKeyInput[] = [
      { ...input, personalized: false },
      { ...input, segments: ['a'] },
      { ...input, segments: ['a', 'b', 'c'] },
      { ...input, arms: { hero: 'x' } },
      { ...input, arms: { hero: 'x', recs: 'z' } },
      { ...input, arms: { hero: 'x', recs: 'y', more: 'w' } },
      { ...input, contextKeys: {} },
      { ...input, contextKeys: { country: 'FR' } },
      { ...input, contextKeys: { country: 'DE', device: 'mobile' } },
      { ...input, path: '/memo2' },
    ];
    for (const v of variants) {
      const key = variantKey(v);
      expect(key).not.toBe(first);
      // Twice: the remembered key is the one made for these inputs.
      expect(variantKey(v)).toBe(key);
    }
    expect(variantKey(input)).toBe(first);
  });
});
