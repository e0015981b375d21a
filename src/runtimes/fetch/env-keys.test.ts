import { describe, expect, it } from 'vitest';
import { atRestCodecFromEnv, keyRingFromEnv } from './env-keys.js';

const a = 'a'.repeat(32);
const b = 'b'.repeat(32);

describe('Worker key ring from bindings', () => {
  it('takes TESSERA_SECRET as key k1, like the Node runtime', () => {
    expect(keyRingFromEnv({ TESSERA_SECRET: a })).toEqual({ secrets: { k1: a }, current: 'k1' });
  });

  it('takes TESSERA_KEYS over the secret, the last key current unless TESSERA_KEY_CURRENT says', () => {
    expect(keyRingFromEnv({ TESSERA_SECRET: a, TESSERA_KEYS: `k1:${a}, k2:${b}` })).toEqual({
      secrets: { k1: a, k2: b },
      current: 'k2',
    });
    expect(keyRingFromEnv({ TESSERA_KEYS: `k1:${a},k2:${b}`, TESSERA_KEY_CURRENT: 'k1' })?.current).toBe(
      'k1',
    );
  });

  it('rejects a short secret, a bad entry and a current key outside the ring with an [env] error', () => {
    expect(() => keyRingFromEnv({ TESSERA_KEYS: 'k1:short' })).toThrow(/\[tessera\] \[env\] .*32/);
    expect(() => keyRingFromEnv({ TESSERA_KEYS: a })).toThrow(/KID:SECRET/);
    expect(() => keyRingFromEnv({ TESSERA_KEYS: `k1:${a}`, TESSERA_KEY_CURRENT: 'k9' })).toThrow(/"k9"/);
    expect(() => keyRingFromEnv({ TESSERA_SECRET: a, TESSERA_KEY_CURRENT: 'k2' })).toThrow(/TESSERA_KEYS/);
  });

  it('encrypts at rest by default and not when TESSERA_ENCRYPT_AT_REST is false or there is no key', () => {
    expect(atRestCodecFromEnv({ TESSERA_SECRET: a })).toBeDefined();
    expect(atRestCodecFromEnv({ TESSERA_SECRET: a, TESSERA_ENCRYPT_AT_REST: 'false' })).toBeUndefined();
    expect(atRestCodecFromEnv({})).toBeUndefined();
  });
});
