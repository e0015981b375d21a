/**
 * Bun: the profile-store conformance suite inside Bun against `bun:sqlite`,
 * and the HTTP behaviour and hardening suites, unchanged, against the demo
 * shop served by `Bun.serve` (examples/bun/shop.ts) with Bun's native
 * HTMLRewriter and profiles in a SQLite file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { httpHardeningSuite } from '../http/hardening.js';
import { BIN, runSuiteIn, startServerIn } from './spawn-runtime.js';

const BUN = { argv: [BIN.bun, 'run'], external: ['bun:*'] };

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

describe('bun:sqlite profile store, inside Bun', () => {
  it('passes every case of the profile-store conformance suite', async () => {
    const results = await runSuiteIn(BUN, 'test/runtimes/bun-conformance.ts');
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(17);
  }, 60_000);
});

/** A SQLite file of its own per server, in the server's temp folder (its working directory). */
const startBun = () =>
  startServerIn(BUN, 'test/runtimes/bun-shop-server.ts', { TESSERA_SQLITE_PATH: 'tessera.db' });

httpBehaviourSuite('Bun, bun:sqlite store', startBun, { running });
httpHardeningSuite('Bun, bun:sqlite store', startBun, { item: running[0]! });
