/**
 * Hostile request lines on the wire, the same cases in Node and in workerd:
 * percent-encoded control and non-ASCII characters, `?` and `#` smuggled
 * into the path, a path encoded twice, `/health` probing, and what JSON
 * errors reflect. After each hostile request the node must still answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../helpers/node-target.js';

/** Request lines that once reached a response header raw (and took a Node process down). */
export const HEADER_BREAKERS = (item: string) => [
  '/%3F%E2%98%83',
  '/%3F%0D%0AX-Evil:%201',
  `/product/${item}%3F%0A`,
  '/category/running%23%0d',
  '/%00',
  '/%7F%C2%85%E2%80%A8',
  `/product/${item}%0D%0ASet-Cookie:%20x=1`,
];

const PRINTABLE = /^[\t\x20-\x7e]*$/;

export function httpHardeningSuite(name: string, start: () => Promise<Target>, products: { item: string }) {
  describe(`HTTP hardening: ${name}`, () => {
    let t: Target;
    beforeAll(async () => {
      t = await start();
    });
    afterAll(async () => {
      await t?.close();
    });

    async function expectAlive() {
      const health = await fetch(`${t.baseUrl}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toMatch(/^(ok|degraded)$/);
    }

    it('answers paths with encoded control and non-ASCII characters without a 5xx, and keeps serving', async () => {
      for (const path of HEADER_BREAKERS(products.item)) {
        const res = await fetch(`${t.baseUrl}${path}`);
        await res.arrayBuffer();
        expect(res.status, path).toBeLessThan(500);
        expect(res.headers.get('x-evil')).toBeNull();
        expect(res.headers.getSetCookie().some((c) => c.startsWith('x='))).toBe(false);
        for (const [k, v] of res.headers) expect(v, `${path} ${k}`).toMatch(PRINTABLE);
        await expectAlive();
      }
    });

    it('treats a decoded ? or # as part of the path, never as a query or a fragment', async () => {
      for (const path of [
        `/product/${products.item}%3F`,
        `/product/${products.item}%3Fx=1`,
        `/product/${products.item}%23top`,
        '/category/running%3Futm_source=x',
      ]) {
        const res = await fetch(`${t.baseUrl}${path}`);
        await res.arrayBuffer();
        expect(res.status, path).toBe(404);
      }
      const real = await fetch(`${t.baseUrl}/product/${products.item}?x=1#top`);
      await real.arrayBuffer();
      expect(real.status).toBe(200);
    });

    it('decodes a path once: a double-encoded item route is not the product page', async () => {
      const res = await fetch(`${t.baseUrl}/%2570roduct/${products.item}`);
      await res.arrayBuffer();
      expect(res.status).toBe(404);
      const once = await fetch(`${t.baseUrl}/%70roduct/${products.item}`);
      await once.arrayBuffer();
      expect(once.status).toBe(200);
    });

    it('answers /health to GET and HEAD only', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const res = await fetch(`${t.baseUrl}/health`, { method });
        expect(res.status, method).toBe(405);
        expect(res.headers.get('allow')).toBe('GET, HEAD');
        await res.arrayBuffer();
      }
      const head = await fetch(`${t.baseUrl}/health`, { method: 'HEAD' });
      expect(head.status).toBe(200);
    });

    it('tells an anonymous caller of /health its status and nothing about the node', async () => {
      const res = await fetch(`${t.baseUrl}/health`);
      const json = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual(['status']);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('marks JSON errors nosniff and echoes neither markup nor control characters of the path', async () => {
      const res = await fetch(`${t.baseUrl}/%3Cscript%3Ealert(1)%3C%2Fscript%3E%0D%0A%E2%80%A8`, {
        method: 'PUT',
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await res.text();
      expect(text).not.toMatch(/<script/i);
      const error = (JSON.parse(text) as { error: string }).error;
      expect(error).toMatch(/^\[tessera\]/);
      expect(error).not.toMatch(/[\p{Cc}\u2028\u2029<>]/u);
      const get = await fetch(`${t.baseUrl}/collect`);
      expect(get.status).toBe(405);
      expect(get.headers.get('x-content-type-options')).toBe('nosniff');
      await get.arrayBuffer();
    });
  });
}
