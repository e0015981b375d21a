/**
 * The embedded stores of Deno (Deno KV) and Bun (`bun:sqlite`) are files
 * that outlive the process: a visitor's profile stored by one server is
 * still there, and still personalizes the visitor's page, after a restart
 * on the same file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { BIN, type RuntimeCommand, startServerIn } from './spawn-runtime.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

const RUNTIMES: Array<[string, RuntimeCommand, string, string]> = [
  [
    'Deno KV',
    { argv: [BIN.deno, 'run', '--quiet', '--unstable-kv', '--allow-all', '--no-config'] },
    'test/runtimes/deno-shop-server.ts',
    'TESSERA_KV_PATH',
  ],
  [
    'bun:sqlite',
    { argv: [BIN.bun, 'run'], external: ['bun:*'] },
    'test/runtimes/bun-shop-server.ts',
    'TESSERA_SQLITE_PATH',
  ],
];

describe.each(RUNTIMES)('%s across a restart', (_name, cmd, entry, pathVar) => {
  it('keeps the stored profile and personalizes from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-restart-'));
    const env = { [pathVar]: join(dir, 'store.db') };
    try {
      const jar = new CookieJar();
      const first = await startServerIn(cmd, entry, env);
      try {
        await jarFetch(jar, `${first.baseUrl}/collect`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            events: [
              { id: 'c', type: 'consent', ts: Date.now(), props: { personalization: true, analytics: true } },
            ],
          }),
        });
        for (const item of running.slice(0, 3))
          await (await jarFetch(jar, `${first.baseUrl}/product/${item}`)).text();
        expect(await first.profileCount()).toBe(1);
      } finally {
        await first.close();
      }
      const second = await startServerIn(cmd, entry, env);
      try {
        expect(await second.profileCount()).toBe(1);
        // Without the profile cookie the page can only be personalized from the store. The first
        // read of a cold store may miss the page's store budget (15 ms; the page is then the
        // default one and the read goes on to warm the cache), hence the wait.
        jar.cookies.delete('tsr_p');
        await vi.waitFor(
          async () => {
            const html = await (
              await fetch(`${second.baseUrl}/`, { headers: { cookie: jar.header() } })
            ).text();
            expect(/data-hero="([^"]+)"/.exec(html)?.[1]).toBe('running');
          },
          { timeout: 5000, interval: 100 },
        );
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
