/**
 * Faults under load: two nodes on a redis-server and a nats-server of this
 * test's own (spare ports, temp dirs), a steady stream of events while Redis
 * is stopped and started, NATS is stopped and started, and node B is killed
 * with SIGKILL and started again. Afterwards every event that got a 202 must
 * be in the event log and counted in the visitor's stored profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventCount } from '../../src/core/profile/index.js';
import { createJetStreamLog } from '../../src/logs/jetstream.js';
import { createEncryptedProfileCodec } from '../../src/profiles/encrypted-codec.js';
import { createRedisProfileStore } from '../../src/profiles/redis.js';
import { health, itemsOf, mintVisitor, send, type Visitor } from './client.js';
import { clusterDeployment } from './deployment.js';
import { CLUSTER_SECRET, freePort, type NodeProcess, type ServiceProcess, waitFor } from './launcher.js';

const HALF_LIFE_MS = 3 * 24 * 3600 * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const items = [...itemsOf('running'), ...itemsOf('hiking'), ...itemsOf('cycling')];

interface Sent {
  visitor: string;
  id: string;
  acked: boolean;
}

describe('a cluster under faults', () => {
  const cluster = clusterDeployment('faults', { ownServers: true });
  const { prefix } = cluster;
  let redis: ServiceProcess;
  let nats: ServiceProcess;
  let a: NodeProcess;
  let b: NodeProcess;

  beforeAll(async () => {
    // Node B is killed and started again, on a port fixed before it starts.
    const portOfB = await freePort();
    [a, b] = (await cluster.start(['node-a', 'node-b'], (id) =>
      id === 'node-b' ? { port: portOfB } : {},
    )) as [NodeProcess, NodeProcess];
    ({ redis, nats } = cluster.servers!);
  }, 60_000);

  afterAll(async () => {
    await cluster.stop();
  }, 30_000);

  it('loses no acknowledged event while Redis, NATS and a node fail and come back', async () => {
    const visitors: Visitor[] = [];
    for (let i = 0; i < 8; i++) visitors.push(await mintVisitor(a.url));
    const sent: Sent[] = [];
    let stop = false;
    let n = 0;
    const sender = async (lane: number) => {
      while (!stop) {
        const v = visitors[(n + lane) % visitors.length]!;
        const node = n++ % 2 === 0 ? a : b;
        const batch = [0, 1].map(() => ({
          id: `f${lane}-${n}-${Math.random().toString(36).slice(2, 8)}`,
          type: 'click',
          ts: Date.now(),
          item: items[Math.floor(Math.random() * items.length)]!,
        }));
        const status = await send(node.url, v, batch);
        if (status >= 500)
          throw new Error(`node ${node.spec.id} answered ${status}:\n${node.output.slice(-20).join('')}`);
        for (const e of batch) sent.push({ visitor: v.id, id: e.id, acked: status === 202 });
        await sleep(10);
      }
    };
    const lanes = [0, 1, 2, 3].map(sender);
    const phases: string[] = [];
    const seenDegraded = new Set<string>();
    let maxSpooled = 0;
    const phase = async (name: string, action: () => Promise<void>, ms: number) => {
      const before = sent.length;
      await action();
      await sleep(ms);
      // What node A reports at the end of the phase: the degradation must have been real.
      const h = await health(a.url);
      for (const d of h.degraded) seenDegraded.add(d);
      maxSpooled = Math.max(maxSpooled, h.dependencies.spool.pending);
      const part = sent.slice(before);
      phases.push(
        `${name}: ${part.length} sent, ${part.filter((x) => x.acked).length} acked, degraded [${h.degraded}], spooled ${h.dependencies.spool.pending}`,
      );
    };
    await phase('healthy', async () => {}, 1500);
    await phase('redis stopped', () => redis.stop(), 2500);
    await phase('redis started', () => redis.start(), 2500);
    await phase('nats stopped', () => nats.stop(), 2500);
    await phase('nats started', () => nats.start(), 2500);
    await phase('node-b killed', () => b.kill(), 2000);
    await phase('node-b restarted', () => b.restart(), 2000);
    stop = true;
    await Promise.all(lanes);

    await waitFor(
      'both nodes to be healthy with empty spools',
      async () => {
        const hs = await Promise.all([a, b].map((x) => health(x.url)));
        return hs.every((h) => h.degraded.length === 0 && h.dependencies.spool.pending === 0)
          ? true
          : undefined;
      },
      30_000,
    );

    const log = await createJetStreamLog({ servers: `127.0.0.1:${nats.port}`, prefix });
    const inLog = new Set<string>();
    for (let cursor = 0; ; ) {
      const page = await log.read(cursor, 5000);
      for (const e of page.events) inLog.add(`${e.visitor}|${e.id}`);
      if (page.events.length === 0) break;
      cursor = page.cursor;
    }
    await log.close();
    const acked = sent.filter((s) => s.acked);
    const found = acked.filter((s) => inLog.has(`${s.visitor}|${s.id}`));
    const lost = acked.length - found.length;
    // What the nodes counted (node B's since its restart).
    const accounts = await Promise.all(
      [a, b].map(async (x) => `${x.spec.id} ${JSON.stringify((await health(x.url)).events)}`),
    );

    const store = await createRedisProfileStore({
      url: `redis://127.0.0.1:${redis.port}`,
      prefix: `${prefix}:`,
      // The nodes encrypt profiles at rest under the cluster secret (key k1).
      codec: createEncryptedProfileCodec({ secrets: { k1: CLUSTER_SECRET }, current: 'k1' }),
    });
    const counted: Array<{ visitor: string; acked: number; sent: number; counted: number }> = [];
    for (const v of visitors) {
      const p = await store.get(v.id);
      counted.push({
        visitor: v.id,
        acked: acked.filter((s) => s.visitor === v.id).length,
        sent: sent.filter((s) => s.visitor === v.id).length,
        counted: p ? eventCount(p, 'click', Date.now(), HALF_LIFE_MS) : 0,
      });
    }
    await store.close();

    console.log(`[faults]\n  ${phases.join('\n  ')}`);
    console.log(
      `[faults] sent ${sent.length}, acknowledged ${acked.length}, stored (in the log after healing) ${inLog.size}, acknowledged found in the log ${found.length}, acknowledged lost ${lost}`,
    );
    console.log(`[faults] nodes' loss accounting:\n  ${accounts.join('\n  ')}`);
    expect(acked.length).toBeGreaterThan(200);
    expect([...seenDegraded].sort()).toEqual(['nats', 'redis']);
    expect(maxSpooled).toBeGreaterThan(0);
    expect(found.length).toBe(acked.length);
    // acknowledged ⊆ stored: 0 acknowledged events lost.
    expect(lost).toBe(0);
    expect(inLog.size).toBeGreaterThanOrEqual(acked.length);
    for (const c of counted) {
      // Decayed over well under a minute with a 3-day half-life: a few parts per million below the count.
      expect(c.counted, `visitor ${c.visitor}`).toBeGreaterThanOrEqual(c.acked * 0.999);
      expect(c.counted, `visitor ${c.visitor}`).toBeLessThanOrEqual(c.sent + 0.001);
    }
  }, 110_000);
});
