/**
 * The page path in workerd with a model that carries an ONNX session model:
 * onnxruntime-web (CompiledWasm) orders the recommendation slot, and over
 * the latency budget the neighbour-based list is served with a trace entry.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { type KnownSessionModel, knownSessionModel, ranked } from '../helpers/session-model.js';
import { type OnnxWorker, startOnnxWorker } from './onnx-harness.js';

interface Product {
  id: string;
  category: string;
  brand: string;
  tags?: string[];
  in_stock?: boolean;
  title: string;
}
const catalog = JSON.parse(readFileSync('examples/shop/catalog.json', 'utf8')) as Product[];
const items = catalog.map((p) => ({
  id: p.id,
  category: p.category,
  brand: p.brand,
  tags: p.tags ?? [],
  in_stock: p.in_stock !== false,
  title: p.title,
}));
const inStock = items.filter((p) => p.in_stock);
const after = inStock[0]!.id;
const first = inStock[300]!.id;
let worker: OnnxWorker;
let model: KnownSessionModel;

beforeAll(async () => {
  worker = await startOnnxWorker('test/workerd/onnx-page-worker.ts');
  model = await knownSessionModel(items, after, first);
}, 60_000);
afterAll(async () => {
  await worker?.close();
});

async function load(budgetMs: number): Promise<void> {
  const res = await fetch(`${worker.baseUrl}/__test/model?budget=${budgetMs}`, {
    method: 'POST',
    body: model.artifact,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(await res.json()).toEqual({ ranker: 'gru4rec-onnx' });
}

let seq = 0;
async function visitorAfter(item: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const now = Date.now();
  const res = await jarFetch(jar, `${worker.baseUrl}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      events: [
        { id: `w-${seq++}`, ts: now, type: 'consent', props: { personalization: true, analytics: true } },
        { id: `w-${seq++}`, ts: now, type: 'view', item },
      ],
    }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return jar;
}

function slotItems(html: string): string[] {
  const at = html.indexOf('data-tessera-slot="recommended"');
  expect(at).toBeGreaterThan(0);
  return [...html.slice(at).matchAll(/data-tessera-item="([^"]+)"/g)].map((m) => m[1]!);
}

interface Served {
  item: string;
  reason: string;
}

/** The debug trace's ranker entry and the recommendation slot's items, for the visitor in `jar`. */
async function debugPage(jar: CookieJar): Promise<{ ranker: { detail: string }; served: Served[] }> {
  const doc = await (
    await jarFetch(jar, `${worker.baseUrl}/`, { headers: { 'x-tessera-debug': '1' } })
  ).json();
  return {
    ranker: doc.trace.find((e: { step: string }) => e.step === 'recs:ranker'),
    served: doc.recommendations.find((r: { slot: string }) => r.slot === 'recommended').items,
  };
}

async function rankerEntry(jar: CookieJar): Promise<{ detail: string }> {
  return (await debugPage(jar)).ranker;
}

describe('the session ranker on the page path (workerd)', () => {
  it('orders the recommendation slot by the ONNX model', async () => {
    await load(2);
    const jar = await visitorAfter(after);
    const page = await jarFetch(jar, `${worker.baseUrl}/`);
    expect(page.status).toBe(200);
    const slot = slotItems(await page.text());
    expect(slot[0]).toBe(first);
    expect(model.neighbourOrder.indexOf(first)).toBeGreaterThanOrEqual(slot.length);
    expect((await rankerEntry(jar)).detail).toMatch(/^recommended: gru4rec-onnx: \d+ candidates re-ranked/);
  });

  it('serves the neighbour-based list over the latency budget, and says so in the trace', async () => {
    // workerd's clock does not move while a request computes, so a call measures 0 ms: a budget
    // below that makes the first call open the guard.
    await load(-1);
    await rankerEntry(await visitorAfter(after)); // the probe that opens the guard
    const jar = await visitorAfter(after);
    const { ranker, served } = await debugPage(jar);
    expect(ranker.detail).toBe(
      'recommended: neighbours: gru4rec-onnx over its latency budget (p99 > -1 ms), cooling down',
    );
    const ids = served.map((i) => i.item);
    expect(ids.length).toBeGreaterThan(0);
    expect(ranked(ids)).not.toContain(first);
    for (const i of served) if (i.item === first) expect(i.reason).toMatch(/\(exploring\)$/);
    // The page (the guard still cooling down) serves that same neighbour-based list.
    const slot = slotItems(await (await jarFetch(jar, `${worker.baseUrl}/`)).text());
    expect(slot.slice(0, ids.length)).toEqual(ids);
  });
});
