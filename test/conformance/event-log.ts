/**
 * The EventLog conformance suite: every event-log driver runs these same
 * cases against its real backend.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../../src/core/ports.js';
import type { LoggedEvent } from '../../src/core/types.js';
import { logged } from './fixtures.js';

export interface EventLogHarness {
  events: EventLog;
  cleanup(): Promise<void>;
}

/** Reads the whole log from `after`, in pages of `pageSize`. */
async function readAll(log: EventLog, after = 0, pageSize = 1000): Promise<LoggedEvent[]> {
  const all: LoggedEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await log.read(cursor, pageSize);
    if (page.events.length === 0) return all;
    all.push(...page.events);
    cursor = page.cursor;
  }
}

const T0_PLUS = 1_700_000_123_456;

const ids = (events: LoggedEvent[]) => events.map((e) => `${e.visitor}/${e.id}`);

export function testEventLog(name: string, make: () => Promise<EventLogHarness>): void {
  describe(`EventLog conformance: ${name}`, () => {
    let harness: EventLogHarness;
    let log: EventLog;
    beforeEach(async () => {
      harness = await make();
      log = harness.events;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('starts empty', async () => {
      expect(await log.count()).toBe(0);
      expect(await log.read(0, 10)).toEqual({ events: [], cursor: 0 });
    });

    it('returns the appended events that were new, in input order', async () => {
      const batch = [logged('v1', 'e1'), logged('v1', 'e2'), logged('v2', 'e3')];
      expect(await log.append(batch)).toEqual(batch);
      expect(await log.count()).toBe(3);
      expect(await log.append([])).toEqual([]);
    });

    it("keeps every field of one visitor's batch as ingest logs it (one node, one receive time)", async () => {
      const at = { node: 'node-1', received: T0_PLUS };
      const batch = [
        logged('v1', 'e1', at),
        logged('v1', 'e2', { ...at, type: 'click', props: { position: 2, list: 'home' } }),
        logged('v1', 'e3', { ...at, type: 'search', props: { q: 'red shoes' } }),
        logged('v1', 'e1', { ...at, item: 'again' }),
      ];
      delete batch[2]!.item;
      expect(await log.append(batch)).toEqual(batch.slice(0, 3));
      expect(await log.append([logged('v1', 'e2', at), logged('v1', 'e4', at)])).toEqual([
        logged('v1', 'e4', at),
      ]);
      expect(await readAll(log)).toEqual([...batch.slice(0, 3), logged('v1', 'e4', at)]);
    });

    it('skips a duplicate within one batch, keeping the first', async () => {
      const first = logged('v1', 'e1', { item: 'first' });
      const second = logged('v1', 'e2');
      const again = logged('v1', 'e1', { item: 'again' });
      expect(await log.append([first, second, again])).toEqual([first, second]);
      expect(await log.count()).toBe(2);
      expect((await readAll(log))[0]?.item).toBe('first');
    });

    it('skips duplicates across batches', async () => {
      await log.append([logged('v1', 'e1'), logged('v1', 'e2')]);
      const fresh = logged('v1', 'e3');
      expect(await log.append([logged('v1', 'e2'), fresh, logged('v1', 'e1')])).toEqual([fresh]);
      expect(await log.append([logged('v1', 'e3')])).toEqual([]);
      expect(await log.count()).toBe(3);
    });

    it('takes a call larger than one insert: new ones in order, repeats skipped across and within it', async () => {
      await log.append([logged('v1', 'e7'), logged('v1', 'e150')]);
      const batch = Array.from({ length: 250 }, (_, i) => logged('v1', `e${i}`));
      batch.push(logged('v1', 'e3'));
      const fresh = await log.append(batch);
      expect(fresh).toEqual(batch.slice(0, 250).filter((e) => e.id !== 'e7' && e.id !== 'e150'));
      expect(await log.count()).toBe(250);
    });

    it('counts the same event id from two visitors as two events', async () => {
      const a = logged('v1', 'same');
      const b = logged('v2', 'same');
      expect(await log.append([a, b])).toEqual([a, b]);
      expect(ids(await readAll(log))).toEqual(['v1/same', 'v2/same']);
    });

    it('pages through the log with the cursor, in append order', async () => {
      const all = Array.from({ length: 25 }, (_, i) => logged(`v${i % 3}`, `e${i}`));
      await log.append(all.slice(0, 7));
      await log.append(all.slice(7, 19));
      await log.append(all.slice(19));
      const pages: string[][] = [];
      const cursors: number[] = [];
      let cursor = 0;
      for (;;) {
        const page = await log.read(cursor, 10);
        if (page.events.length === 0) {
          expect(page.cursor).toBe(cursor);
          break;
        }
        pages.push(ids(page.events));
        cursors.push(page.cursor);
        cursor = page.cursor;
      }
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(ids(all));
      expect(cursors[0]).toBeGreaterThan(0);
      expect(cursors[1]).toBeGreaterThan(cursors[0]!);
      expect(cursors[2]).toBeGreaterThan(cursors[1]!);
    });

    it('reads only what was appended after a cursor', async () => {
      await log.append([logged('v1', 'e1'), logged('v1', 'e2')]);
      const { cursor } = await log.read(0, 100);
      await log.append([logged('v1', 'e3')]);
      expect(ids(await readAll(log, cursor))).toEqual(['v1/e3']);
    });

    it('deletes every event of one visitor and only those', async () => {
      await log.append([logged('v1', 'e1'), logged('v2', 'e1'), logged('v1', 'e2'), logged('v1', 'e3')]);
      await log.append([logged('v2', 'e2')]);
      expect(await log.deleteVisitor('v1')).toBe(3);
      expect(await log.count()).toBe(2);
      expect(ids(await readAll(log))).toEqual(['v2/e1', 'v2/e2']);
      expect(await log.deleteVisitor('v1')).toBe(0);
      expect(await log.deleteVisitor('nobody')).toBe(0);
    });

    it('keeps a cursor valid across deletions: later events are still read', async () => {
      await log.append([logged('v1', 'e1'), logged('v2', 'e2')]);
      const { cursor } = await log.read(0, 100);
      await log.deleteVisitor('v2');
      await log.append([logged('v3', 'e3')]);
      expect(ids(await readAll(log, cursor))).toEqual(['v3/e3']);
    });

    it('round-trips props, items and optional fields exactly', async () => {
      const rich = logged('v1', 'rich', {
        type: 'purchase',
        ts: T0_PLUS,
        item: 'sku-ü',
        props: { price: 19.99, qty: 2, tags: ['a', 'b'], nested: { ok: true, none: null }, text: 'ünï "q"' },
        node: 'edge-fra',
        received: T0_PLUS + 7,
      });
      const bare: LoggedEvent = {
        id: 'bare',
        type: 'page',
        ts: T0_PLUS,
        visitor: 'v1',
        node: 'n',
        received: T0_PLUS,
      };
      await log.append([rich, bare]);
      const [gotRich, gotBare] = await readAll(log);
      expect(gotRich).toStrictEqual(rich);
      expect(gotBare).toStrictEqual(bare);
    });

    it('hands out copies: changing a read or appended event does not change the log', async () => {
      const event = logged('v1', 'e1', { props: { n: 1 } });
      await log.append([event]);
      event.props!.n = 2;
      const [read] = await readAll(log);
      expect(read?.props).toEqual({ n: 1 });
      read!.props!.n = 3;
      expect((await readAll(log))[0]?.props).toEqual({ n: 1 });
    });
  });
}
