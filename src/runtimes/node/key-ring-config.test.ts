import { describe, expect, it } from 'vitest';
import { resolveNodeConfig } from './config.js';
import { keyRingFrom, parseKeyList } from './key-ring-config.js';

const S1 = 'key-ring-secret-one-0123456789abcdef';
const S2 = 'key-ring-secret-two-0123456789abcdef';

describe('key ring settings', () => {
  it('parse KID:SECRET pairs; the current key defaults to the last one', () => {
    expect(parseKeyList(`k1:${S1}, k2:${S2}`)).toEqual({ k1: S1, k2: S2 });
    expect(keyRingFrom(`k1:${S1},k2:${S2}`, undefined, () => 'unused')).toEqual({
      secrets: { k1: S1, k2: S2 },
      current: 'k2',
    });
    expect(keyRingFrom(`k1:${S1},k2:${S2}`, 'k1', () => 'unused').current).toBe('k1');
  });

  it('fall back to the single secret as k1', () => {
    expect(keyRingFrom(undefined, undefined, () => S1)).toEqual({ secrets: { k1: S1 }, current: 'k1' });
  });

  it('reject short secrets, bad ids, duplicates and an unknown current key with the reason', () => {
    expect(() => parseKeyList('k1:short')).toThrow(/\[config\] keys: the secret of "k1" must be at least 32/);
    expect(() => parseKeyList(`bad id:${S1}`)).toThrow(/is not KID:SECRET/);
    expect(() => parseKeyList(`k1:${S1},k1:${S2}`)).toThrow(/"k1" is given twice/);
    expect(() => keyRingFrom(`k1:${S1}`, 'k9', () => S1)).toThrow(/key-current "k9" is not one of the keys/);
  });

  it('come from TESSERA_KEYS / TESSERA_KEY_CURRENT and are checked at start', () => {
    const env = { keys: `k1:${S1},k2:${S2}`, keyCurrent: 'k1' };
    expect(resolveNodeConfig({ env })).toMatchObject(env);
    expect(() => resolveNodeConfig({ flags: { keys: 'k1:short' } })).toThrow(/must be at least 32/);
  });
});
