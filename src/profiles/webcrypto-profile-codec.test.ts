import { describe, expect, it } from 'vitest';
import { canonical, delta } from '../../test/conformance/fixtures.js';
import { encodeProfile, mergeProfiles } from '../core/profile/index.js';
import { createEncryptedProfileCodec } from './encrypted-codec.js';
import { createWebCryptoProfileCodec, webBlobKeyId } from './webcrypto-profile-codec.js';

const s1 = 'first-secret-first-secret-first-secret!!';
const s2 = 'second-secret-second-secret-second-secr!';
const ring1 = { secrets: { k1: s1 }, current: 'k1' };
const ring12 = { secrets: { k1: s1, k2: s2 }, current: 'k2' };
const profile = mergeProfiles(delta('node-a', 'sku-secret-item'), delta('node-b', 'sku-other', 50, 'click'));

describe('WebCrypto profile codec', () => {
  it('reads a blob the Node codec wrote', async () => {
    const blob = createEncryptedProfileCodec(ring1).encode(profile);
    expect(canonical(await createWebCryptoProfileCodec(ring1).decode(blob))).toEqual(canonical(profile));
  });

  it('writes a blob the Node codec reads, in the same TSE1 format', async () => {
    const blob = await createWebCryptoProfileCodec(ring12).encode(profile);
    expect(new TextDecoder().decode(blob.subarray(0, 4))).toBe('TSE1');
    expect(webBlobKeyId(blob)).toBe('k2');
    expect(new TextDecoder().decode(blob)).not.toContain('sku-secret-item');
    expect(canonical(createEncryptedProfileCodec(ring12).decode(blob))).toEqual(canonical(profile));
  });

  it('reads blobs of an older key after rotation and calls them stale', async () => {
    const old = await createWebCryptoProfileCodec(ring1).encode(profile);
    const rotated = createWebCryptoProfileCodec(ring12);
    expect(canonical(await rotated.decode(old))).toEqual(canonical(profile));
    expect(rotated.stale?.(old)).toBe(true);
    expect(rotated.stale?.(await rotated.encode(profile))).toBe(false);
  });

  it('keeps reading plain profiles written before encryption', async () => {
    const codec = createWebCryptoProfileCodec(ring1);
    const plain = encodeProfile(profile);
    expect(canonical(await codec.decode(plain))).toEqual(canonical(profile));
    expect(codec.stale?.(plain)).toBe(true);
  });

  it('rejects a tampered blob, a wrong secret and an unknown key id with a [crypto] error', async () => {
    const codec = createWebCryptoProfileCodec(ring1);
    const blob = await codec.encode(profile);
    const tampered = blob.slice();
    tampered[tampered.length - 20]! ^= 1;
    await expect(codec.decode(tampered)).rejects.toThrow(/\[tessera\] \[crypto\] .*failed authentication/);
    const wrong = createWebCryptoProfileCodec({ secrets: { k1: s2 }, current: 'k1' });
    await expect(wrong.decode(blob)).rejects.toThrow(/failed authentication/);
    const other = createWebCryptoProfileCodec({ secrets: { k2: s2 }, current: 'k2' });
    await expect(other.decode(blob)).rejects.toThrow(/key "k1", which is not in the key ring/);
    await expect(codec.decode(blob.subarray(0, 20))).rejects.toThrow(/truncated/);
  });
});
