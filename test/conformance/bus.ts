/**
 * The Bus conformance suite: every bus driver (memory, Redis pub/sub, NATS)
 * runs these same cases against its real backend, with two buses standing
 * for two nodes on one deployment.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bus } from '../../src/core/ports.js';

export interface BusHarness {
  /** Two buses of one deployment, as two nodes hold them. */
  a: Bus;
  b: Bus;
  cleanup(): Promise<void>;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Collects what a subscription receives. */
function inbox() {
  const got: Uint8Array[] = [];
  return { got, handler: (p: Uint8Array) => void got.push(p), texts: () => got.map(text) };
}

const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 5 });

export function testBus(name: string, make: () => Promise<BusHarness>): void {
  describe(`Bus conformance: ${name}`, () => {
    let harness: BusHarness;
    let a: Bus;
    let b: Bus;
    beforeEach(async () => {
      harness = await make();
      ({ a, b } = harness);
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('delivers a message to subscribers on other buses and to the publisher', async () => {
      const onB = inbox();
      const onA = inbox();
      await b.subscribe('deltas', onB.handler);
      await a.subscribe('deltas', onA.handler);
      await a.publish('deltas', bytes('hello'));
      await until(() => expect(onB.texts()).toEqual(['hello']));
      await until(() => expect(onA.texts()).toEqual(['hello']));
    });

    it("delivers one publisher's messages in the order they were published", async () => {
      const onB = inbox();
      await b.subscribe('deltas', onB.handler);
      const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
      for (const m of sent) await a.publish('deltas', bytes(m));
      await until(() => expect(onB.texts()).toEqual(sent));
    });

    it('keeps topics apart', async () => {
      const deltas = inbox();
      const models = inbox();
      await b.subscribe('deltas', deltas.handler);
      await b.subscribe('models', models.handler);
      await a.publish('models', bytes('m1'));
      await a.publish('deltas', bytes('d1'));
      await a.publish('tombstones', bytes('t1'));
      await until(() => expect(deltas.texts()).toEqual(['d1']));
      await until(() => expect(models.texts()).toEqual(['m1']));
    });

    it('stops delivering to a handler after it unsubscribes, and only to that handler', async () => {
      const gone = inbox();
      const stays = inbox();
      const unsubscribe = await b.subscribe('deltas', gone.handler);
      await b.subscribe('deltas', stays.handler);
      await a.publish('deltas', bytes('before'));
      await until(() => expect(gone.texts()).toEqual(['before']));
      unsubscribe();
      await a.publish('deltas', bytes('after'));
      // `stays` sees `after`, so delivery of `after` is done: `gone` must not have it.
      await until(() => expect(stays.texts()).toEqual(['before', 'after']));
      expect(gone.texts()).toEqual(['before']);
    });

    it('keeps delivering on a topic after its last handler unsubscribed and a new one subscribed', async () => {
      const first = inbox();
      const unsubscribe = await b.subscribe('deltas', first.handler);
      unsubscribe();
      const second = inbox();
      await b.subscribe('deltas', second.handler);
      await a.publish('deltas', bytes('x'));
      await until(() => expect(second.texts()).toEqual(['x']));
      expect(first.got).toEqual([]);
    });

    it('hands every byte over intact: zeros, high bytes, empty and large payloads', async () => {
      const onB = inbox();
      await b.subscribe('deltas', onB.handler);
      const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
      const large = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) & 0xff);
      const view = large.subarray(100, 300); // a view into a larger buffer: only its bytes go
      await a.publish('deltas', binary);
      await a.publish('deltas', new Uint8Array(0));
      await a.publish('deltas', large);
      await a.publish('deltas', view);
      await until(() => expect(onB.got).toHaveLength(4));
      expect([...onB.got[0]!]).toEqual([...binary]);
      expect(onB.got[1]!.byteLength).toBe(0);
      expect(Buffer.from(onB.got[2]!).equals(Buffer.from(large))).toBe(true);
      expect([...onB.got[3]!]).toEqual([...view]);
    });

    it('keeps delivering to other handlers when one throws', async () => {
      const ok = inbox();
      await b.subscribe('deltas', () => {
        throw new Error('handler bug');
      });
      await b.subscribe('deltas', ok.handler);
      await a.publish('deltas', bytes('1'));
      await a.publish('deltas', bytes('2'));
      await until(() => expect(ok.texts()).toEqual(['1', '2']));
    });

    it('refuses a topic with wildcards, spaces or empty words', async () => {
      for (const topic of ['a.*', 'a.>', 'has space', '', 'a..b', 'a.']) {
        await expect(a.publish(topic, bytes('x'))).rejects.toThrow(/invalid topic/);
        await expect(a.subscribe(topic, () => {})).rejects.toThrow(/invalid topic/);
      }
    });

    it('rejects publish and subscribe after close with a clear error', async () => {
      await a.close();
      await expect(a.publish('deltas', bytes('x'))).rejects.toThrow(
        new RegExp(`^\\[tessera\\] \\[${a.name}\\] publish to "deltas": the bus is closed`),
      );
      await expect(a.subscribe('deltas', () => {})).rejects.toThrow(/the bus is closed/);
      await expect(a.close()).resolves.toBeUndefined();
    });

    it('stops delivering to a closed bus', async () => {
      const onA = inbox();
      const onB = inbox();
      await a.subscribe('deltas', onA.handler);
      await b.subscribe('deltas', onB.handler);
      await a.close();
      await b.publish('deltas', bytes('late'));
      await until(() => expect(onB.texts()).toEqual(['late']));
      expect(onA.got).toEqual([]);
    });
  });
}
