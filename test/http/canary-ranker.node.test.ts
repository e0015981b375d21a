/**
 * A canary visitor is ranked by the candidate's session ranker, never by
 * production's (Node, over HTTP). Production and candidate carry GRUs set by
 * hand (test/helpers/session-model.ts) that put different items first after
 * the same click, each below the neighbour lists' slot, so the item that
 * opens the slot tells which model ranked. A share of 1.0 puts every
 * consenting visitor in the canary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCommand } from '../../src/cli/commands/admin.js';
import { writeArtifact } from '../../src/core/recommend/index.js';
import { promoteModel, registerModel } from '../../src/models/model-registry.js';
import { loadOrtNode } from '../../src/models/onnx/ort-node.js';
import { onnxSessionRankers } from '../../src/models/onnx/session-rankers.js';
import { retireCandidate } from '../../src/models/rollout/candidate-moves.js';
import { jarFetch } from '../helpers/cookie-jar.js';
import { knownSessionModel } from '../helpers/session-model.js';
import { collect, consentingVisitor, type SecurityTarget, startSecurityApp } from '../security/app.js';

let t: SecurityTarget;
let token: string;
let items: Array<{ id: string; category: string; brand: string; tags: string[]; in_stock: boolean }>;
let after: string;
/** What production's GRU puts first after `after`; what the candidate's puts first. */
let productionFirst: string;
let candidateFirst: string;
let productionVersion: string;

beforeAll(async () => {
  // A generous budget: these tests are about which model ranks, not about the latency guard.
  // No live updates: an overlay rebuilt from the test's events would move the neighbour order.
  t = await startSecurityApp({
    sessionRanker: onnxSessionRankers({ ort: loadOrtNode, budgetMs: 10_000 }),
    modelLifecycle: (c) => ({
      ...c,
      live: { ...c.live, enabled: false },
      rollout: { ...c.rollout, mode: 'canary', share: 1 },
    }),
  });
  const out: string[] = [];
  await tokenCommand({ dataDir: t.dir, scopes: 'read:debug,read:stats', name: 'canary' }, (l) => out.push(l));
  token = out[0]!;
  items = [...t.app.engine.catalog.values()].map((p) => ({
    id: p.id,
    category: p.category,
    brand: p.brand,
    tags: p.tags ?? [],
    in_stock: p.in_stock !== false,
  }));
  const inStock = items.filter((p) => p.in_stock);
  after = inStock[0]!.id;
  productionFirst = inStock[300]!.id;
  candidateFirst = inStock[301]!.id;
  const production = await knownSessionModel(items, after, productionFirst);
  productionVersion = t.app.engine.models.swap(production.artifact).version;
  expect(await t.app.engine.models.rankerReady()).toBe('gru4rec-onnx');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** Registers `artifact` as the candidate and starts its rollout; resolves to its version. */
async function rollOut(artifact: ArrayBuffer): Promise<string> {
  const { version } = await registerModel(t.app.modelStore, artifact);
  await promoteModel(t.app.modelStore, version, 'candidate');
  await t.app.lifecycle.check();
  expect(t.app.lifecycle.candidate?.version).toBe(version);
  return version;
}

async function endRollout(version: string): Promise<void> {
  await retireCandidate(t.app.modelStore, version);
  await t.app.lifecycle.check();
  expect(t.app.lifecycle.candidate).toBeUndefined();
}

async function visitorAfter(item: string) {
  const jar = await consentingVisitor(t.base);
  expect((await collect(t.base, jar, [{ type: 'view', item }])).status).toBe(202);
  return jar;
}

function slotItems(html: string): string[] {
  const at = html.indexOf('data-tessera-slot="recommended"');
  expect(at).toBeGreaterThan(0);
  const end = html.indexOf('</div>', html.indexOf('class="tiles"', at));
  return [...html.slice(at, end).matchAll(/data-tessera-item="([^"]+)"/g)].map((m) => m[1]!);
}

const debug = () => ({ authorization: `Bearer ${token}`, 'x-tessera-debug': '1' });

async function rollout(): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.base}/health`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { models: { rollout: Record<string, unknown> } }).models.rollout;
}

describe('the session ranker in a canary (Node)', () => {
  it("ranks a canary visitor with the candidate's ranker, keeps it per version, and says which version ranked", async () => {
    const candidate = await knownSessionModel(items, after, candidateFirst);
    const version = await rollOut(candidate.artifact);
    expect(await t.app.lifecycle.rankerReady()).toBe('gru4rec-onnx');
    expect(await rollout()).toMatchObject({ candidate: version, ranker: { name: 'gru4rec-onnx', version } });

    const jar = await visitorAfter(after);
    const served = slotItems(await (await jarFetch(jar, `${t.base}/`)).text());
    expect(served[0]).toBe(candidateFirst);
    // The candidate's neighbour lists alone put it below the slot; production's model does not know it.
    expect(candidate.neighbourOrder.indexOf(candidateFirst)).toBeGreaterThanOrEqual(served.length);
    expect(served).not.toContain(productionFirst);

    const doc = await (await jarFetch(jar, `${t.base}/`, { headers: debug() })).json();
    const ranker = doc.trace.find((e: { step: string }) => e.step === 'recs:ranker');
    expect(ranker.detail).toMatch(new RegExp(`^recommended: gru4rec-onnx: .* by model ${version}`));
    expect(version).not.toBe(productionVersion);
    expect(doc.model).toBe(version); // the debug document names the model that decided, not production's

    // The same visitor, the same profile version, once the candidate is gone: production's model ranks.
    await endRollout(version);
    const back = await (await jarFetch(jar, `${t.base}/`, { headers: debug() })).json();
    const again = back.trace.find((e: { step: string }) => e.step === 'recs:ranker');
    // Ranked afresh (not the candidate's ranking kept for this profile version) by production's model.
    expect(again.detail).toMatch(new RegExp(` by model ${productionVersion}$`));
    expect(back.model).toBe(productionVersion);
    expect(slotItems(await (await jarFetch(jar, `${t.base}/`)).text())[0]).toBe(productionFirst);
  });

  it('ranks a canary visitor by none when the candidate has no session model', async () => {
    // The candidate's neighbour lists hold production's favourite below the slot: production's
    // ranker, if it ranked this visitor, would bring it to the top. Below the slot's exploration
    // pool too (3 × the slot's 10, exploration.ts), where a visitor's random pick of the day could
    // take it, yet inside the 100 candidates a ranker is handed.
    const ids = items.map((p) => p.id);
    const a = ids.indexOf(after);
    const f = ids.indexOf(productionFirst);
    const others = ids
      .map((_, i) => i)
      .filter((i) => i !== a && i !== f && items[i]!.in_stock)
      .slice(0, 60);
    const row: Array<[number, number]> = [...others, f].map((i, q) => [i, 1 - q / 100]);
    const plain = await writeArtifact({
      items,
      k: row.length,
      neighbours: ids.map((_, i) => (i === a ? row : [])),
      popular: ids.map((_, i) => i),
      createdAt: Date.now(),
      trainer: 'test/no-session-model',
    });
    const version = await rollOut(plain);
    expect(await t.app.lifecycle.rankerReady()).toBeUndefined();
    expect(await rollout()).toMatchObject({ candidate: version, ranker: null });

    const jar = await visitorAfter(after);
    const served = slotItems(await (await jarFetch(jar, `${t.base}/`)).text());
    expect(served[0]).toBe(ids[others[0]!]);
    expect(served).not.toContain(productionFirst);
    const doc = await (await jarFetch(jar, `${t.base}/`, { headers: debug() })).json();
    expect(doc.trace.some((e: { step: string }) => e.step === 'recs:ranker')).toBe(false);
    await endRollout(version);
  });
});
