import { describe, expect, it } from 'vitest';
import { mintedId, requestIdOf } from './request-id.js';

describe('request ids', () => {
  it('mints the prefix and the counter as 12 hex digits, across the halves and the wrap', () => {
    const prefix = mintedId(0).slice(0, 24);
    expect(prefix).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-$/);
    for (const n of [0, 1, 15, 0xabcdef, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 0x123456789abc, 2 ** 48 - 1, 5]) {
      expect(mintedId(n)).toBe(prefix + n.toString(16).padStart(12, '0'));
    }
  });

  it('echoes a well-formed id, and mints one after another for the rest', () => {
    expect(requestIdOf('lb-1234:abc')).toBe('lb-1234:abc');
    const a = requestIdOf(undefined);
    const b = requestIdOf('bad id with spaces');
    const c = requestIdOf(['x', 'y']);
    expect(a).toMatch(/^[0-9a-f-]{24}[0-9a-f]{12}$/);
    const count = (id: string) => Number.parseInt(id.slice(24), 16);
    expect(count(b)).toBe((count(a) + 1) % 2 ** 48);
    expect(count(c)).toBe((count(b) + 1) % 2 ** 48);
    expect(b.slice(0, 24)).toBe(a.slice(0, 24));
  });
});
