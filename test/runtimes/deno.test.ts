/**
 * Deno: the profile-store conformance suite inside Deno against Deno KV, and
 * the HTTP behaviour and hardening suites, unchanged, against the demo shop
 * served by `Deno.serve` (examples/deno/shop.ts) with profiles in Deno KV
 * and lol-html in WebAssembly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { httpHardeningSuite } from '../http/hardening.js';
import { BIN, runSuiteIn, startServerIn } from './spawn-runtime.js';

const DENO = { argv: [BIN.deno, 'run', '--quiet', '--unstable-kv', '--allow-all', '--no-config'] };

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

describe('Deno KV profile store, inside Deno', () => {
  it('passes every case of the profile-store conformance suite', async () => {
    const results = await runSuiteIn(DENO, 'test/runtimes/deno-conformance.ts');
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(15);
  }, 60_000);
});

/** A Deno KV database file of its own per server (the folder goes with the target). */
const startDeno = () =>
  startServerIn(DENO, 'test/runtimes/deno-shop-server.ts', { TESSERA_KV_PATH: 'kv.sqlite' });

httpBehaviourSuite('Deno, Deno KV store', startDeno, { running });
httpHardeningSuite('Deno, Deno KV store', startDeno, { item: running[0]! });
