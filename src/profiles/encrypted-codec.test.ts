import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProfile, encodeProfile } from '../core/profile/index.js';
import { blobKeyId, createEncryptedProfileCodec } from './encrypted-codec.js';

const S1 = 'secret-one-0123456789abcdef0123456789';
const S2 = 'secret-two-0123456789abcdef0123456789';
const NOW = 1_700_000_000_000;
const profile = () =>
  applyEvent(
    emptyProfile(NOW),
    { id: 'e1', type: 'view', ts: NOW, item: 'sku-very-private-item' },
    { node: 'n1', at: { p: NOW, l: 0, n: 'n1' }, halfLifeMs: 1000 },
  );
const has = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(Buffer.from(text));

describe('encrypted profile codec', () => {
  it('writes TSE1, the key id, and no plaintext; reads it back', () => {
    const codec = createEncryptedProfileCodec({ secrets: { k1: S1 }, current: 'k1' });
    const bytes = codec.encode(profile());
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('TSE1');
    expect(blobKeyId(bytes)).toBe('k1');
    expect(has(bytes, 'sku-very-private-item')).toBe(false);
    expect(codec.decode(bytes)).toEqual(codec.decode(codec.encode(profile())));
    expect(codec.decode(bytes).recent[0]?.item).toBe('sku-very-private-item');
  });

  it('uses a fresh IV each time, so equal profiles give different bytes', () => {
    const codec = createEncryptedProfileCodec({ secrets: { k1: S1 }, current: 'k1' });
    expect(Buffer.from(codec.encode(profile())).equals(Buffer.from(codec.encode(profile())))).toBe(false);
  });

  it('after rotation reads old-key blobs, writes the new key, and calls old ones stale', () => {
    const old = createEncryptedProfileCodec({ secrets: { k1: S1 }, current: 'k1' });
    const rotated = createEncryptedProfileCodec({ secrets: { k1: S1, k2: S2 }, current: 'k2' });
    const blob = old.encode(profile());
    expect(rotated.decode(blob).recent[0]?.item).toBe('sku-very-private-item');
    expect(rotated.stale?.(blob)).toBe(true);
    const fresh = rotated.encode(profile());
    expect(blobKeyId(fresh)).toBe('k2');
    expect(rotated.stale?.(fresh)).toBe(false);
  });

  it('reads plain profiles (stores written before encryption) and calls them stale', () => {
    const codec = createEncryptedProfileCodec({ secrets: { k1: S1 }, current: 'k1' });
    const plain = encodeProfile(profile());
    expect(codec.decode(plain).recent[0]?.item).toBe('sku-very-private-item');
    expect(codec.stale?.(plain)).toBe(true);
  });

  it('rejects a blob under a key the ring no longer has, naming the key', () => {
    const blob = createEncryptedProfileCodec({ secrets: { k1: S1 }, current: 'k1' }).encode(profile());
    const k2only = createEncryptedProfileCodec({ secrets: { k2: S2 }, current: 'k2' });
    expect(() => k2only.decode(blob)).toThrow(/\[tessera\] \[crypto\] .*"k1", which is not in the key ring/);
  });

  it('rejects a tampered blob, a wrong secret and a truncated blob with a crypto error', () => {
    const codec = createEncryptedProfileCodec({ secrets: { k1: S1 }, current: 'k1' });
    const blob = codec.encode(profile());
    for (const at of [blob.length - 1, 20, blob.length - 20]) {
      const tampered = Uint8Array.from(blob);
      tampered[at]! ^= 1;
      expect(() => codec.decode(tampered)).toThrow(/\[tessera\] \[crypto\] .*failed authentication/);
    }
    const wrong = createEncryptedProfileCodec({ secrets: { k1: S2 }, current: 'k1' });
    expect(() => wrong.decode(blob)).toThrow(/failed authentication/);
    expect(() => codec.decode(blob.subarray(0, 20))).toThrow(/\[crypto\] encrypted profile is truncated/);
  });
});
