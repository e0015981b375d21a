/**
 * The Durable Object ledger store through the shared ledger suite, against
 * workerd's Durable Objects (Miniflare): the driver runs here, its stubs
 * reach the `TesseraLedger` class in workerd; a second handle on the
 * namespace is what a new isolate (or a restarted Worker) opens.
 *
 * Then exactly-once across isolates: two Worker isolates (two Miniflare
 * workers, the second bound to the first one's class) each run the driver
 * with their own node id and count the same visitor's exposure and
 * conversion at the same moment, many times over; every counter's total is 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs build script without types
import { buildWorker } from '../../scripts/build-worker.mjs';
import type { DurableObjectNamespaceLike } from '../../src/connections/cloudflare-bindings.js';
import { counterKey, type LedgerState, sumCounter } from '../../src/core/experiments/ledger-state.js';
import type { CountedHit, LedgerHit } from '../../src/core/experiments/ledger-store.js';
import { createDurableObjectLedgerStore } from '../../src/ledgers/durable-object.js';
import { testLedgerStore } from './ledger-store.js';

let mf: Miniflare;
let dir: string;
let namespace: DurableObjectNamespaceLike;
const urls: string[] = [];
let run = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-ledger-do-'));
  const outfile = join(dir, 'worker.js');
  await (buildWorker as (o: { entry: string; outfile: string; minify: boolean }) => Promise<unknown>)({
    entry: 'test/conformance/ledger-do-worker.ts',
    outfile,
    minify: false,
  });
  const isolate = (name: string, ledger: unknown) => ({
    name,
    compatibilityDate: '2024-09-23',
    modules: true,
    scriptPath: outfile,
    modulesRoot: dir,
    durableObjects: { LEDGER: ledger },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  });
  mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    workers: [isolate('a', 'TesseraLedger'), isolate('b', { className: 'TesseraLedger', scriptName: 'a' })],
  } as MiniflareOptions);
  await mf.ready;
  for (const name of ['a', 'b']) urls.push((await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, ''));
  namespace = (await mf.getDurableObjectNamespace('LEDGER', 'a')) as unknown as DurableObjectNamespaceLike;
});
afterAll(async () => {
  await mf?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

testLedgerStore('durable-object (Miniflare)', async () => {
  const prefix = `t${run++}:`;
  const store = createDurableObjectLedgerStore({ namespace, prefix });
  return {
    store,
    reopen: async () => createDurableObjectLedgerStore({ namespace, prefix }),
    cleanup: () => store.close(),
  };
});

describe('durable-object ledger across isolates', () => {
  const post = async <T>(url: string, path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  it('counts a visitor once when two isolates count the same marks at the same moment', async () => {
    const prefix = `iso${run++}:`;
    const hits = (v: string): LedgerHit[] => [
      { experiment: 'x', visitor: v, counter: 'exposed', mark: 'x', amount: 1, arm: 'a', segment: '*' },
      { experiment: 'x', visitor: v, counter: 'converted', mark: 'converted', amount: 1 },
      { experiment: 'y', visitor: v, counter: 'exposed', mark: 'x', amount: 1, arm: 'b', segment: '*' },
    ];
    // Ten visitors; each one's batch is sent 4 times to each isolate, all at once.
    const visitors = Array.from({ length: 10 }, (_, i) => `v${i}`);
    const calls = visitors.flatMap((v) =>
      Array.from({ length: 8 }, (_, k) =>
        post<CountedHit[]>(urls[k % 2]!, '/count', { node: `node-${k % 2}`, prefix, hits: hits(v) }),
      ),
    );
    const answers = await Promise.all(calls);
    // Each of the 30 marks counted in exactly one answer.
    expect(answers.reduce((n, a) => n + a.length, 0)).toBe(visitors.length * 3);
    const s = await post<LedgerState>(urls[1]!, '/load', { node: 'node-1', prefix });
    const total = (experiment: string, arm: string, counter: 'exposed' | 'converted') =>
      sumCounter(s.counters[counterKey({ experiment, arm, segment: '*', counter })]);
    expect(total('x', 'a', 'exposed')).toBe(visitors.length);
    expect(total('x', 'a', 'converted')).toBe(visitors.length);
    expect(total('y', 'b', 'exposed')).toBe(visitors.length);
    // And a replay through the other isolate, later, counts nothing.
    expect(
      await post<CountedHit[]>(urls[0]!, '/count', { node: 'node-0', prefix, hits: hits('v3') }),
    ).toEqual([]);
  });
});
