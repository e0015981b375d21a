/**
 * A page served with a model that carries an ONNX session model is ordered
 * by it (Node, over HTTP): after a session that ends with a known item, the
 * recommendation slot starts with the item the model puts first, which the
 * neighbour lists rank below the slot. Over the latency budget the page
 * keeps the neighbour-based list and the debug trace says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCommand } from '../../src/cli/commands/admin.js';
import { loadOrtNode } from '../../src/models/onnx/ort-node.js';
import { onnxSessionRankers } from '../../src/models/onnx/session-rankers.js';
import { jarFetch } from '../helpers/cookie-jar.js';
import { type KnownSessionModel, knownSessionModel, ranked } from '../helpers/session-model.js';
import { collect, consentingVisitor, type SecurityTarget, startSecurityApp } from '../security/app.js';

let t: SecurityTarget;
let token: string;
let model: KnownSessionModel;
let after: string;
let first: string;
let other: string;

beforeAll(async () => {
  // Budget 0 ms: a fresh guard lets the first call through, then every call is over budget.
  // No live updates: their overlay (rebuilt every 10 s from the test's own events) would move the
  // neighbour order the assertions compare against, on a machine slow enough to reach a rebuild.
  t = await startSecurityApp({
    sessionRanker: onnxSessionRankers({ ort: loadOrtNode, budgetMs: 0 }),
    modelLifecycle: (c) => ({ ...c, live: { ...c.live, enabled: false } }),
  });
  const out: string[] = [];
  await tokenCommand({ dataDir: t.dir, scopes: 'read:debug', name: 'debugger' }, (l) => out.push(l));
  token = out[0]!;
  const items = [...t.app.engine.catalog.values()].map((p) => ({
    id: p.id,
    category: p.category,
    brand: p.brand,
    tags: p.tags ?? [],
    in_stock: p.in_stock !== false,
    title: p.title,
  }));
  const inStock = items.filter((p) => p.in_stock);
  after = inStock[0]!.id;
  first = inStock[300]!.id;
  other = inStock[1]!.id;
  model = await knownSessionModel(items, after, first);
  t.app.engine.models.swap(model.artifact);
  expect(await t.app.engine.models.rankerReady()).toBe('gru4rec-onnx');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

async function visitorAfter(item: string) {
  const jar = await consentingVisitor(t.base);
  expect((await collect(t.base, jar, [{ type: 'view', item }])).status).toBe(202);
  return jar;
}

/** The item ids of the page's recommendation slot, in order. */
function slotItems(html: string): string[] {
  const at = html.indexOf('data-tessera-slot="recommended"');
  expect(at).toBeGreaterThan(0);
  const end = html.indexOf('</div>', html.indexOf('class="tiles"', at));
  return [...html.slice(at, end).matchAll(/data-tessera-item="([^"]+)"/g)].map((m) => m[1]!);
}

const debug = () => ({ authorization: `Bearer ${token}`, 'x-tessera-debug': '1' });

describe('the session ranker on the page path (Node)', () => {
  // A swap prepares a new ranker with a fresh guard: its first call is let through.
  async function fresh() {
    t.app.engine.models.swap(model.artifact);
    expect(await t.app.engine.models.rankerReady()).toBe('gru4rec-onnx');
  }

  it('orders the recommendation slot by the ONNX model', async () => {
    await fresh();
    const page = await jarFetch(await visitorAfter(after), `${t.base}/`);
    expect(page.status).toBe(200);
    const items = slotItems(await page.text());
    expect(items[0]).toBe(first);
    // The neighbour lists alone put it below the slot.
    expect(model.neighbourOrder.indexOf(first)).toBeGreaterThanOrEqual(items.length);
  });

  it('says in the debug trace that the model ordered the slot, and lists the neighbour order beside', async () => {
    await fresh();
    const jar = await visitorAfter(after);
    const doc = await (await jarFetch(jar, `${t.base}/`, { headers: debug() })).json();
    const ranker = doc.trace.find((e: { step: string }) => e.step === 'recs:ranker');
    expect(ranker.detail).toMatch(
      /^recommended: gru4rec-onnx: \d+ candidates re-ranked in [\d.]+ ms by model [0-9a-f]+$/,
    );
    const recs = doc.recommendations.find((r: { slot: string }) => r.slot === 'recommended');
    expect(recs.items[0].item).toBe(first);
    expect(ranked(recs.neighbourOrder)).not.toContain(first);
  });

  it('serves the neighbour-based list over the latency budget, and says so in the trace', async () => {
    // A fresh model version (so no ranking of this history is memoized), whose one free call goes to a
    // visitor with another history: it measures more than 0 ms, so the guard is open for the next.
    await fresh();
    await jarFetch(await visitorAfter(other), `${t.base}/`);
    const jar = await visitorAfter(after);
    const doc = await (await jarFetch(jar, `${t.base}/`, { headers: debug() })).json();
    const ranker = doc.trace.find((e: { step: string }) => e.step === 'recs:ranker');
    expect(ranker.detail).toBe(
      'recommended: neighbours: gru4rec-onnx over its latency budget (p99 > 0 ms), cooling down',
    );
    const recs = doc.recommendations.find((r: { slot: string }) => r.slot === 'recommended');
    const served: string[] = recs.items.map((i: { item: string }) => i.item);
    expect(ranked(served)).not.toContain(first);
    for (const i of recs.items) if (i.item === first) expect(i.reason).toMatch(/\(exploring\)$/);
    // The page (the guard still cooling down) serves that same neighbour-based list.
    const page = await jarFetch(jar, `${t.base}/`);
    expect(slotItems(await page.text())).toEqual(served);
  });
});
