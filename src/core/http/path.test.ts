import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePath, pathOf } from './path.js';

describe('pathOf', () => {
  it('decodes a path exactly once', () => {
    expect(pathOf('http://h/%2570roduct/p-1')).toBe('/%70roduct/p-1');
    expect(pathOf('http://h/%70roduct/p-1')).toBe('/product/p-1');
    expect(pathOf('http://h/caf%C3%A9?q=%41#x')).toBe('/café');
  });

  it('keeps a decoded ? or # or control character inside the path', () => {
    expect(pathOf('http://h/product/p-1%3Fx=1%23y?real=1')).toBe('/product/p-1?x=1#y');
    expect(pathOf('http://h/a%0D%0Ab')).toBe('/a\r\nb');
  });

  it('resolves dot segments and backslashes as a URL parser does, before decoding', () => {
    expect(pathOf('http://h/x/../admin')).toBe('/admin');
    expect(pathOf('http://h/x/%2e%2E/admin')).toBe('/admin');
    expect(pathOf('http://h/x\\..\\admin')).toBe('/admin');
    expect(pathOf('/a/./b')).toBe('/a/b');
  });

  it('never turns an encoded slash into a dot segment', () => {
    expect(pathOf('http://h/x/..%2Fadmin')).toBe('/x/..%2Fadmin');
    expect(pathOf('http://h/x/..%2fadmin')).toBe('/x/..%2Fadmin');
  });

  it('leaves malformed escapes as they came and decodes the rest', () => {
    expect(pathOf('http://h/%zz/%41/%E0%A4')).toBe('/%zz/A/%E0%A4');
  });

  it('does not take the authority from a URL-looking path', () => {
    expect(pathOf('http://h//evil.test/admin')).toBe('//evil.test/admin');
    expect(pathOf('http://h')).toBe('/');
  });
});

describe('encodePath', () => {
  it('gives printable ASCII that decodes back to the path, for any request line', () => {
    const raw = fc.oneof(
      fc.webPath(),
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`),
      fc
        .array(
          fc.constantFrom('%', '%3F', '%23', '%0A', '%25', '%2F', '%2e', '..', '/', 'a', '%E2%98%83', '\\'),
          {
            maxLength: 12,
          },
        )
        .map((p) => `/${p.join('')}`),
    );
    fc.assert(
      fc.property(raw, (r) => {
        const path = pathOf(`http://h${r.replace(/[?#]/g, '')}`);
        const enc = encodePath(path);
        expect(enc).toMatch(/^[\x21-\x7e]*$/);
        expect(enc).not.toMatch(/[?#|<>"\\]/);
        // A downstream decoder (the origin) reads back exactly the routed path.
        expect(decodeURIComponent(enc)).toBe(path);
        expect(pathOf(`http://o${enc}`)).toBe(path);
      }),
      { numRuns: 3000 },
    );
  });

  it('encodes what would end a header, start a query or collide in a cache key', () => {
    expect(encodePath('/a?b#c|d%e f\r\n☃')).toBe('/a%3Fb%23c%7Cd%25e%20f%0D%0A%E2%98%83');
    expect(encodePath('/product/p-1')).toBe('/product/p-1');
    expect(encodePath('/\uD800')).toBe('/%EF%BF%BD');
  });
});
