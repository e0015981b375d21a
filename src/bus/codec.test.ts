import { describe, expect, it } from 'vitest';
import { decodeEnvelope, ENVELOPE_KINDS, type Envelope, encodeEnvelope } from './codec.js';

const payload = Uint8Array.from([0, 1, 2, 254, 255]);

describe('bus envelope codec', () => {
  it('round-trips every kind, with and without a visitor', () => {
    for (const kind of ENVELOPE_KINDS) {
      const withVisitor: Envelope = { kind, node: 'edge-fra', visitor: 'v-ü-🙂', payload };
      const without: Envelope = { kind, node: 'n', payload: new Uint8Array(0) };
      expect(decodeEnvelope(encodeEnvelope(withVisitor))).toEqual(withVisitor);
      expect(decodeEnvelope(encodeEnvelope(without))).toEqual(without);
    }
  });

  it('keeps an empty visitor apart from no visitor', () => {
    expect(decodeEnvelope(encodeEnvelope({ kind: 'delta', node: 'n', visitor: '', payload })).visitor).toBe(
      '',
    );
    expect('visitor' in decodeEnvelope(encodeEnvelope({ kind: 'delta', node: 'n', payload }))).toBe(false);
  });

  it('starts with the version byte and costs 5 bytes plus the ids', () => {
    const bytes = encodeEnvelope({ kind: 'model', node: 'ab', visitor: 'xyz', payload });
    expect(bytes[0]).toBe(1);
    expect(bytes.byteLength).toBe(5 + 2 + 3 + payload.byteLength);
  });

  it('decodes an envelope that is a view into a larger buffer', () => {
    const bytes = encodeEnvelope({ kind: 'delta', node: 'n1', visitor: 'v', payload });
    const big = new Uint8Array(bytes.byteLength + 10);
    big.set(bytes, 7);
    expect(decodeEnvelope(big.subarray(7, 7 + bytes.byteLength)).payload).toEqual(payload);
  });

  it('refuses an unknown version or kind, truncation and bad UTF-8 with a [bus] 400', () => {
    const good = encodeEnvelope({ kind: 'delta', node: 'node', visitor: 'visitor', payload });
    const version = good.slice();
    version[0] = 2;
    const kind = good.slice();
    kind[1] = 9;
    const badUtf8 = good.slice();
    badUtf8[3] = 0xff;
    expect(() => decodeEnvelope(version)).toThrow('[tessera] [bus] unknown envelope version 2');
    expect(() => decodeEnvelope(kind)).toThrow('[tessera] [bus] unknown envelope kind 9');
    expect(() => decodeEnvelope(good.subarray(0, 8))).toThrow(/truncated/);
    expect(() => decodeEnvelope(good.subarray(0, 3))).toThrow(/too short/);
    expect(() => decodeEnvelope(badUtf8)).toThrow(/node is not UTF-8/);
    try {
      decodeEnvelope(version);
    } catch (e) {
      expect((e as { status: number }).status).toBe(400);
    }
  });

  it('refuses to encode a node id that is empty or over 255 bytes', () => {
    expect(() => encodeEnvelope({ kind: 'delta', node: '', payload })).toThrow(
      /node id must be 1..255 bytes/,
    );
    expect(() => encodeEnvelope({ kind: 'delta', node: 'é'.repeat(128), payload })).toThrow(/1..255 bytes/);
  });
});
