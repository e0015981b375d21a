import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../core/identity/base64url.js';
import { createKeyRing, type KeyRingInput } from '../../core/identity/keys.js';
import { pseudonymizeTrait, pseudonymizeUserId } from '../../core/identity/pseudonym.js';
import { seal, unseal } from '../../core/identity/sealed.js';
import { newVisitorId, signId, verifySignedId } from '../../core/identity/signed-id.js';
import { nodeKeyRingCrypto } from './node-crypto.js';

const S1 = 'node-crypto-test-secret-one-0123456789';
const S2 = 'node-crypto-test-secret-two-0123456789';
const K1: KeyRingInput = { secrets: { k1: S1 }, current: 'k1' };
const K12: KeyRingInput = { secrets: { k1: S1, k2: S2 }, current: 'k2' };

/** The same key ring on both paths: WebCrypto (every runtime) and node:crypto (Node). */
function pair(input: KeyRingInput) {
  return { web: createKeyRing(input), node: createKeyRing(input, nodeKeyRingCrypto()) };
}

function flipByte(sealed: string, at: number): string {
  const dot = sealed.lastIndexOf('.');
  const bytes = fromBase64Url(sealed.slice(dot + 1))!;
  bytes[at] = bytes[at]! ^ 1;
  return `${sealed.slice(0, dot + 1)}${toBase64Url(bytes)}`;
}

describe('key ring on node:crypto', () => {
  it('opens what WebCrypto sealed, and WebCrypto opens what it sealed', async () => {
    const { web, node } = pair(K1);
    const text = JSON.stringify({ v: 3, cats: { shoes: 2.5 }, note: 'ünïcødé' });
    const byNode = await seal(node, text, 'digest:visitor-1');
    const byWeb = await seal(web, text, 'digest:visitor-1');
    expect(byNode.startsWith('v1.k1.')).toBe(true);
    expect(byNode).toHaveLength(byWeb.length);
    expect(await unseal(web, byNode, 'digest:visitor-1')).toBe(text);
    expect(await unseal(node, byWeb, 'digest:visitor-1')).toBe(text);
    expect(await unseal(node, byNode, 'digest:visitor-1')).toBe(text);
  });

  it('refuses a tampered ciphertext, IV or tag, another purpose, and an unknown key id', async () => {
    const { web, node } = pair(K1);
    const sealed = await seal(node, 'hello', 'digest:a');
    for (const at of [0, 11, 12, 14, 12 + 5 + 15]) {
      const bad = flipByte(sealed, at);
      expect(await unseal(node, bad, 'digest:a')).toBeUndefined();
      expect(await unseal(web, bad, 'digest:a')).toBeUndefined();
    }
    expect(await unseal(node, sealed, 'digest:b')).toBeUndefined();
    expect(await unseal(node, sealed.replace('v1.k1.', 'v1.k9.'), 'digest:a')).toBeUndefined();
    expect(await unseal(node, 'v1.k1.AAAA', 'digest:a')).toBeUndefined();
    expect(await unseal(node, sealed.slice(0, 30), 'digest:a')).toBeUndefined();
  });

  it('never reuses an IV, across refills of its random pool', async () => {
    const { web, node } = pair(K1);
    const ivs = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const sealed = await seal(node, 'same', 'x');
      ivs.add(toBase64Url(fromBase64Url(sealed.slice('v1.k1.'.length))!.subarray(0, 12)));
      if (i % 100 === 0) expect(await unseal(web, sealed, 'x')).toBe('same');
    }
    expect(ivs.size).toBe(600);
  });

  it('signs ids byte-for-byte like WebCrypto, so each verifies the other', async () => {
    const { web, node } = pair(K1);
    const id = newVisitorId();
    expect(await signId(node, id)).toBe(await signId(web, id));
    expect(await verifySignedId(web, await signId(node, id))).toBe(id);
    expect(await verifySignedId(node, await signId(web, id))).toBe(id);
    const foreign = await signId(createKeyRing(S2, nodeKeyRingCrypto()), id);
    expect(await verifySignedId(node, foreign)).toBeUndefined();
  });

  it('computes the same pseudonyms as WebCrypto', async () => {
    const { web, node } = pair(K12);
    expect(await pseudonymizeUserId(node, 'user-42')).toBe(await pseudonymizeUserId(web, 'user-42'));
    expect(await pseudonymizeTrait(node, ' Alice@Example.com')).toBe(
      await pseudonymizeTrait(web, 'alice@example.com'),
    );
    expect(await pseudonymizeUserId(node, 'user-42')).not.toBe(await pseudonymizeUserId(node, 'user-43'));
  });

  it('keeps old cookies readable across a rotation, on either path', async () => {
    const before = pair(K1);
    const after = pair(K12);
    const old = await seal(before.node, 'hello', 'x');
    expect(await unseal(after.node, old, 'x')).toBe('hello');
    expect(await unseal(after.web, old, 'x')).toBe('hello');
    const fresh = await seal(after.node, 'hi', 'x');
    expect(fresh.startsWith('v1.k2.')).toBe(true);
    expect(await unseal(after.web, fresh, 'x')).toBe('hi');
    expect(await unseal(before.node, fresh, 'x')).toBeUndefined();
    // Pseudonyms stay those of the first key.
    expect(await pseudonymizeUserId(after.node, 'u')).toBe(await pseudonymizeUserId(before.web, 'u'));
  });
});
