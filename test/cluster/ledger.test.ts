/**
 * The experiment ledger outlives its process and agrees across nodes:
 * - one `tessera serve` on SQLite, an experiment resumed through the admin
 *   API, visitors exposed and converting over HTTP, then `kill -9` and a
 *   restart on the same data dir: the same totals and status;
 * - three nodes on Redis (store, ledger) and NATS (bus, log), traffic spread
 *   over them: the same totals on all three.
 * A replayed batch counts nothing twice in both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf, mintVisitor, page, send } from './client.js';
import { clusterDeployment } from './deployment.js';
import { CLUSTER_ADMIN_TOKEN, type NodeProcess, startNode, waitFor } from './launcher.js';

const EXPERIMENT = 'recs-strategy';
const item = itemsOf('running')[0]!;

interface ArmJson {
  arm: string;
  visitors: number;
  converted: number;
  clicked: number;
  carted: number;
  revenue: number;
}

async function admin(base: string, path: string, method = 'GET'): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/admin/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${CLUSTER_ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** What must survive: the status and each arm's counts. */
async function ledgerOf(base: string) {
  const x = await admin(base, `experiments/${EXPERIMENT}`);
  const arms = (x.arms as ArmJson[]).map(({ arm, visitors, converted, clicked, carted, revenue }) => ({
    arm,
    visitors,
    converted,
    clicked,
    carted,
    revenue,
  }));
  return { status: x.status, promoted: x.promoted, arms };
}

const visitorsOf = (l: { arms: ArmJson[] }) => l.arms.reduce((s, a) => s + a.visitors, 0);
const convertedOf = (l: { arms: ArmJson[] }) => l.arms.reduce((s, a) => s + a.converted, 0);

/** One visitor: consent, a page (the exposure), a purchase and a cart; the batch sent twice. */
async function shopper(base: string, i: number, now: number) {
  const v = await mintVisitor(base);
  expect((await page(base, v, '/')).status).toBe(200);
  const batch = [
    { id: `buy-${i}`, type: 'purchase', ts: now, item, props: { value: 10 + i } },
    { id: `cart-${i}`, type: 'add_to_cart', ts: now, item },
  ];
  expect(await send(base, v, batch)).toBe(202);
  // A retried beacon: the same events again.
  expect(await send(base, v, batch)).toBe(202);
  return v;
}

describe('the ledger across a kill -9 (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ledger-'));
  let node: NodeProcess;

  beforeAll(async () => {
    node = await startNode({
      id: 'node-1',
      dataDir: join(dir, 'node-1'),
      store: `sqlite:${join(dir, 'node-1', 'tessera.db')}`,
      prefix: 'tessera',
    });
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('shows the same totals and status after the node is killed and restarted', async () => {
    await admin(node.url, `experiments/${EXPERIMENT}/resume`, 'POST');
    const n = 24;
    const now = Date.now();
    for (let i = 0; i < n; i++) await shopper(node.url, i, now);
    const before = await waitFor('every exposure counted', async () => {
      const l = await ledgerOf(node.url);
      return visitorsOf(l) === n ? l : undefined;
    });
    expect(before.status).toBe('running');
    expect(convertedOf(before)).toBe(n);
    expect(before.arms.reduce((s, a) => s + a.carted, 0)).toBe(n);
    // Each purchase once, though every batch came twice.
    expect(before.arms.reduce((s, a) => s + a.revenue, 0)).toBe(n * 10 + (n * (n - 1)) / 2);

    await node.kill();
    await node.restart();

    expect(await ledgerOf(node.url)).toEqual(before);
  }, 90_000);
});

describe('the ledger on three nodes (Redis + NATS)', () => {
  const cluster = clusterDeployment('l3');
  const { nodes } = cluster;

  beforeAll(async () => {
    await cluster.start(['node-a', 'node-b', 'node-c']);
  }, 60_000);

  afterAll(async () => {
    await cluster.stop();
  }, 30_000);

  it('shows the same totals and status on every node after traffic spread over them', async () => {
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    await admin(b.url, `experiments/${EXPERIMENT}/resume`, 'POST');
    // The status reaches the others over the bus.
    for (const n of [a, c])
      await waitFor('resumed everywhere', async () =>
        (await ledgerOf(n.url)).status === 'running' ? true : undefined,
      );
    const n = 18;
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const v = await shopper(nodes[i % 3]!.url, i, now);
      // The same visitor on another node: neither a new exposure nor a second conversion.
      await page(nodes[(i + 1) % 3]!.url, v, '/');
      await send(nodes[(i + 2) % 3]!.url, v, [{ id: `buy-${i}`, type: 'purchase', ts: now, item }]);
    }
    const expected = await waitFor('every exposure counted on node A', async () => {
      const l = await ledgerOf(a.url);
      return visitorsOf(l) === n && convertedOf(l) === n ? l : undefined;
    });
    expect(expected.arms.reduce((s, x) => s + x.revenue, 0)).toBe(n * 10 + (n * (n - 1)) / 2);
    for (const node of [b, c]) {
      await waitFor(`the same totals on ${node.spec.id}`, async () => {
        const l = await ledgerOf(node.url);
        return JSON.stringify(l) === JSON.stringify(expected) ? l : undefined;
      });
    }
  }, 120_000);
});
