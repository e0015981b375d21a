/**
 * Three replicas (memory profile caches, one per node) apply their own events
 * and exchange profile deltas through a real bus, with deliveries duplicated
 * and released in an order fast-check chooses. Whatever the order, every
 * replica ends with the same profile (canonical JSON) for every visitor.
 *
 * A delta is the replica's whole profile after the event (state-based CRDT):
 * a node's own counter component must come from one sequential writer.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { publishEnvelope, subscribeEnvelopes } from '../../src/bus/envelopes.js';
import { createMemoryBus, createMemoryHub } from '../../src/bus/memory.js';
import { createNatsBus } from '../../src/bus/nats.js';
import type { Bus, ProfileStore } from '../../src/core/ports.js';
import { applyEvent, decodeProfile, emptyProfile, encodeProfile } from '../../src/core/profile/index.js';
import { arbEvent, canonical, opts, T0 } from '../../src/core/profile/test-helpers.js';
import type { TesseraEvent } from '../../src/core/types.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { NATS_SERVERS, requireNats, uniquePrefix } from '../helpers/services.js';

const NODES = ['n1', 'n2', 'n3'] as const;
const VISITORS = ['v1', 'v2'] as const;

interface Step {
  replica: number;
  visitor: (typeof VISITORS)[number];
  event: TesseraEvent;
  /** Scheduled deliveries to release after this step. */
  release: number;
}

const arbStep = fc.record({
  replica: fc.integer({ min: 0, max: 2 }),
  visitor: fc.constantFrom(...VISITORS),
  event: arbEvent(10 * 24 * 3600 * 1000, 30),
  release: fc.integer({ min: 0, max: 4 }),
});

interface Replica {
  node: string;
  store: ProfileStore;
  bus: Bus;
  clock: number;
  received: number;
}

async function runScenario(
  buses: Bus[],
  s: fc.Scheduler,
  steps: Step[],
  duplicate: boolean[],
): Promise<Map<string, string[]>> {
  let dupAt = 0;
  const replicas: Replica[] = NODES.map((node, i) => ({
    node,
    store: createMemoryStore().profiles,
    bus: buses[i]!,
    clock: 0,
    received: 0,
  }));
  for (const r of replicas) {
    await subscribeEnvelopes(r.bus, 'deltas', r.node, (envelope) => {
      r.received += 1;
      const copies = duplicate[dupAt++ % Math.max(1, duplicate.length)] ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        // Held until the scheduler releases it: fast-check picks the delivery order.
        void s
          .schedule(Promise.resolve(envelope), `${envelope.node}→${r.node}`)
          .then((e) => r.store.merge(e.visitor!, decodeProfile(e.payload)));
      }
    });
  }
  const published = [0, 0, 0];
  for (const step of steps) {
    const r = replicas[step.replica]!;
    r.clock = Math.max(r.clock + 1, step.event.ts);
    const current = (await r.store.get(step.visitor)) ?? emptyProfile(T0);
    const next = await r.store.merge(step.visitor, applyEvent(current, step.event, opts(r.node, r.clock)));
    await publishEnvelope(r.bus, 'deltas', {
      kind: 'delta',
      node: r.node,
      visitor: step.visitor,
      payload: encodeProfile(next),
    });
    published[step.replica]! += 1;
    for (let k = 0; k < step.release && s.count() > 0; k++) await s.waitNext(1);
  }
  const total = published.reduce((a, b) => a + b, 0);
  // Every message crossed the bus (a replica skips its own) ...
  await vi.waitFor(
    () => {
      for (const [i, r] of replicas.entries()) expect(r.received).toBe(total - published[i]!);
    },
    { timeout: 10_000, interval: 5 },
  );
  // ... then everything still held is released, in the scheduler's order.
  await s.waitIdle();
  const finals = new Map<string, string[]>();
  for (const visitor of VISITORS) {
    finals.set(visitor, await Promise.all(replicas.map(async (r) => canonical(await r.store.get(visitor)))));
  }
  return finals;
}

function expectConverged(finals: Map<string, string[]>): void {
  for (const [, perReplica] of finals) {
    expect(perReplica[1]).toBe(perReplica[0]);
    expect(perReplica[2]).toBe(perReplica[0]);
  }
}

const scenario = (maxSteps: number) =>
  [
    fc.scheduler(),
    fc.array(arbStep, { minLength: 1, maxLength: maxSteps }),
    fc.array(fc.boolean(), { maxLength: 20 }),
  ] as const;

describe('profile convergence across three replicas', () => {
  it('converges over the memory bus whatever the duplication and order of deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(...scenario(25), async (s, steps, duplicate) => {
        const hub = createMemoryHub();
        const buses = NODES.map(() => createMemoryBus({ hub }));
        try {
          expectConverged(await runScenario(buses, s, steps, duplicate));
        } finally {
          await Promise.all(buses.map((b) => b.close()));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('converges over the real NATS bus', async () => {
    await requireNats();
    await fc.assert(
      fc.asyncProperty(...scenario(12), async (s, steps, duplicate) => {
        // A prefix per run, so a late message of one run never reaches the next.
        const prefix = `${uniquePrefix('').replace(/[^A-Za-z0-9_-]/g, '')}.bus`;
        const buses = await Promise.all(NODES.map(() => createNatsBus({ servers: NATS_SERVERS, prefix })));
        try {
          expectConverged(await runScenario(buses, s, steps, duplicate));
        } finally {
          await Promise.all(buses.map((b) => b.close()));
        }
      }),
      { numRuns: 15 },
    );
  });
});
