import { describe, expect, it } from 'vitest';
import { createKeyRing } from './keys.js';
import { pseudonymizeUserId } from './pseudonym.js';

const S1 = 'pseudonym-secret-one-0123456789abcdef';
const S2 = 'pseudonym-secret-two-0123456789abcdef';

describe('user-id pseudonyms', () => {
  it('are u_ and 32 hex digits, never the user id, and the same for the same user', async () => {
    const ring = createKeyRing(S1);
    const a = await pseudonymizeUserId(ring, 'alice@example.com');
    expect(a).toMatch(/^u_[0-9a-f]{32}$/);
    expect(a).not.toContain('alice');
    expect(await pseudonymizeUserId(ring, 'alice@example.com')).toBe(a);
    expect(await pseudonymizeUserId(ring, 'bob@example.com')).not.toBe(a);
  });

  it('depend on the secret, so nobody without it can compute them', async () => {
    expect(await pseudonymizeUserId(createKeyRing(S1), 'alice')).not.toBe(
      await pseudonymizeUserId(createKeyRing(S2), 'alice'),
    );
  });

  it('survive a rotation: the first key keeps keying them unless told otherwise', async () => {
    const before = await pseudonymizeUserId(createKeyRing({ secrets: { k1: S1 }, current: 'k1' }), 'alice');
    const rotated = createKeyRing({ secrets: { k1: S1, k2: S2 }, current: 'k2' });
    expect(await pseudonymizeUserId(rotated, 'alice')).toBe(before);
    const pinned = createKeyRing({ secrets: { k2: S2, k1: S1 }, current: 'k2', pseudonym: 'k1' });
    expect(await pseudonymizeUserId(pinned, 'alice')).toBe(before);
    expect(() => createKeyRing({ secrets: { k2: S2 }, current: 'k2', pseudonym: 'k1' })).toThrow(
      /\[keys\] pseudonym key "k1" is not in the ring/,
    );
  });
});
