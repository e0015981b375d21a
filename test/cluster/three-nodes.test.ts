/**
 * Three `tessera serve` processes against the real Redis (profiles) and NATS
 * (bus and JetStream event log). Node C reaches NATS through a TCP proxy the
 * test can cut, to drop its bus connection while it keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_SERVERS } from '../helpers/services.js';
import { health, isCachedOn, itemsOf, mintVisitor, page, profileOn, send, view } from './client.js';
import { clusterDeployment } from './deployment.js';
import { type NodeProcess, startProxy, type TcpProxy, waitFor } from './launcher.js';

const running = itemsOf('running');
const hiking = itemsOf('hiking');

describe('three nodes on Redis and NATS', () => {
  const cluster = clusterDeployment('c3');
  let a: NodeProcess;
  let b: NodeProcess;
  let c: NodeProcess;
  let proxy: TcpProxy;
  const visitors: string[] = [];

  beforeAll(async () => {
    proxy = await startProxy(Number(NATS_SERVERS.split(':')[1]));
    // Node C reaches NATS through the proxy.
    const throughProxy = { bus: `nats://127.0.0.1:${proxy.port}`, log: `nats://127.0.0.1:${proxy.port}` };
    [a, b, c] = (await cluster.start(['node-a', 'node-b', 'node-c'], (id) =>
      id === 'node-c' ? throughProxy : {},
    )) as [NodeProcess, NodeProcess, NodeProcess];
  }, 60_000);

  afterAll(async () => {
    await cluster.stop();
    await proxy?.close();
  }, 30_000);

  it('personalizes node B within a second of events sent to node A', async () => {
    const v = await mintVisitor(a.url);
    visitors.push(v.id);
    expect(await send(a.url, v, [view(hiking[0]!)])).toBe(202);
    // B reads the profile from the store once and caches it: from now on only the bus can update it.
    const first = await page(b.url, v);
    expect(first.status).toBe(200);
    expect(first.segments).not.toContain('runners');
    await waitFor('B to cache the profile', async () => ((await isCachedOn(b.url, v.id)) ? true : undefined));
    const receivedBefore = (await health(b.url)).dependencies.cluster!.received;

    expect(await send(a.url, v, running.slice(0, 4).map(view))).toBe(202);
    const t0 = performance.now();
    await waitFor(
      'node B to personalize',
      async () => ((await page(b.url, v)).segments.includes('runners') ? true : undefined),
      3000,
    );
    const ms = performance.now() - t0;
    console.log(`[cluster] events on node A personalized node B after ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
    // The bus did it: B still answers from its cache, which only a received delta can have updated.
    expect((await health(b.url)).dependencies.cluster!.received).toBeGreaterThan(receivedBefore);
    expect(await isCachedOn(b.url, v.id)).toBe(true);
  }, 20_000);

  it('keeps serving a node cut off from NATS and converges once it reconnects', async () => {
    const v = await mintVisitor(a.url);
    visitors.push(v.id);
    expect(await send(a.url, v, [view(hiking[1]!)])).toBe(202);
    expect((await page(c.url, v)).status).toBe(200);

    proxy.cut();
    await waitFor('node C to report NATS degraded', async () =>
      (await health(c.url)).degraded.includes('nats') ? true : undefined,
    );
    // While cut off: A gets running views (C cannot hear of them); C gets hiking views (its log is down).
    expect(await send(a.url, v, running.slice(4, 8).map(view))).toBe(202);
    expect(await send(c.url, v, hiking.slice(2, 8).map(view))).toBe(202);
    const during = await page(c.url, v);
    expect(during.status).toBe(200);
    expect(during.segments).toContain('hikers');
    expect((await health(c.url)).dependencies.spool.pending).toBeGreaterThan(0);

    proxy.restore();
    await waitFor(
      'node C to reconnect and replay its spool',
      async () => {
        const h = await health(c.url);
        return h.degraded.length === 0 && h.dependencies.spool.pending === 0 ? true : undefined;
      },
      20_000,
    );
    const views = await waitFor('the three nodes to agree', async () => {
      const all = await Promise.all([a, b, c].map((n) => profileOn(n.url, v.id)));
      return all.every((p) => p === all[0]) ? all : undefined;
    });
    for (const item of [...running.slice(4, 8), ...hiking.slice(2, 8)]) expect(views[0]).toContain(item);
  }, 60_000);

  it('ends with identical profiles on every node', async () => {
    for (const id of visitors) {
      const all = await Promise.all([a, b, c].map((n) => profileOn(n.url, id)));
      expect(all[0]).toContain('"profile":{');
      expect(all[1]).toBe(all[0]);
      expect(all[2]).toBe(all[0]);
    }
  });
});
