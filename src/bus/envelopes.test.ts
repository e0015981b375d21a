import { describe, expect, it, vi } from 'vitest';
import type { Envelope } from './codec.js';
import { publishEnvelope, subscribeEnvelopes } from './envelopes.js';
import { createMemoryBus, createMemoryHub } from './memory.js';

describe('envelopes over a bus', () => {
  it("delivers other nodes' envelopes and skips the node's own", async () => {
    const hub = createMemoryHub();
    const a = createMemoryBus({ hub });
    const b = createMemoryBus({ hub });
    const seenByA: Envelope[] = [];
    await subscribeEnvelopes(a, 'deltas', 'node-a', (e) => seenByA.push(e));
    await publishEnvelope(a, 'deltas', {
      kind: 'delta',
      node: 'node-a',
      visitor: 'v1',
      payload: new Uint8Array([1]),
    });
    await publishEnvelope(b, 'deltas', {
      kind: 'tombstone',
      node: 'node-b',
      visitor: 'v1',
      payload: new Uint8Array([2]),
    });
    await vi.waitFor(() => expect(seenByA).toHaveLength(1));
    expect(seenByA[0]).toMatchObject({ kind: 'tombstone', node: 'node-b', visitor: 'v1' });
    expect(seenByA).toHaveLength(1);
  });

  it('reports a message that is not an envelope instead of throwing', async () => {
    const bus = createMemoryBus();
    const bad: unknown[] = [];
    const good: Envelope[] = [];
    await subscribeEnvelopes(
      bus,
      'deltas',
      'me',
      (e) => good.push(e),
      (e) => bad.push(e),
    );
    await bus.publish('deltas', new Uint8Array([9, 9, 9, 9, 9]));
    await vi.waitFor(() => expect(bad).toHaveLength(1));
    expect(String(bad[0])).toMatch(/\[tessera\] \[bus\] unknown envelope version 9/);
    expect(good).toEqual([]);
  });
});
