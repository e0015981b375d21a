/**
 * The experiment ledger in Cloudflare KV, for the Worker.
 *
 * Keys (under `prefix`):
 * - `lc:<node>`: one node's components of every counter, JSON
 *   `{ counterKey: value }`. Each Worker isolate has its own node id, so
 *   every such key has one sequential writer, and KV's last-write-wins on a
 *   key loses nothing; `load` lists them all and joins them (max per node).
 *   Components merged in from other nodes are written to their nodes' keys,
 *   only ever raised.
 * - `ls:<experiment>`: the status register, JSON; a later register wins.
 * - `lm:<visitor>\u0001<experiment>\u0001<mark>`: a dedupe mark (the
 *   exposure's `arm\u0001segment`, or `1`). Keyed by visitor first, so
 *   erasure lists one prefix.
 *
 * KV has no transactions: a mark is read, then the counter and the mark are
 * written. Two isolates counting the same visitor's same mark within KV's
 * propagation window (about a minute across locations) may both count it;
 * within one isolate, calls are serialised and counted once. Where that
 * window matters, keep the ledger in a strongly consistent store (the
 * Durable Object profile store's namespace, or Redis through a Node edge).
 * @module
 */
import type { KVNamespaceLike } from '../connections/cloudflare-bindings.js';
import {
  counterKey,
  emptyLedger,
  laterStatus,
  type StatusRegister,
} from '../core/experiments/ledger-state.js';
import { type CountedHit, EXPOSURE_MARK, type LedgerStore } from '../core/experiments/ledger-store.js';
import { KeyedMutex } from '../core/keyed-mutex.js';

export interface KvLedgerStoreOptions {
  kv: KVNamespaceLike;
  /** Prepended to every key (several sites or tests in one namespace). */
  prefix?: string;
}

const SEP = '\u0001';
const NAME = 'cloudflare-kv-ledger';

export function createKvLedgerStore(o: KvLedgerStoreOptions): LedgerStore {
  const { kv } = o;
  const prefix = o.prefix ?? '';
  const componentKey = (node: string) => `${prefix}lc:${node}`;
  const statusKey = (experiment: string) => `${prefix}ls:${experiment}`;
  const markKey = (visitor: string, experiment: string, mark: string) =>
    `${prefix}lm:${visitor}${SEP}${experiment}${SEP}${mark}`;
  /** Each node's components as this handle last read or wrote them. */
  const components = new Map<string, Record<string, number>>();
  const mutex = new KeyedMutex();

  async function component(node: string): Promise<Record<string, number>> {
    const held = components.get(node);
    if (held) return held;
    const text = await kv.get(componentKey(node), 'text');
    const c = text ? (JSON.parse(text) as Record<string, number>) : {};
    components.set(node, c);
    return c;
  }

  async function listAll(p: string): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await kv.list({ prefix: p, ...(cursor ? { cursor } : {}) });
      for (const k of page.keys) names.push(k.name);
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return names;
  }

  return {
    name: NAME,
    count(node, hits) {
      // One writer per node key: this handle's calls for a node run one at a time.
      return mutex.run(node, async () => {
        const c = await component(node);
        const out: CountedHit[] = [];
        const marksToWrite: Array<[string, string]> = [];
        const written = new Map<string, string>();
        const markOf = async (k: string) => written.get(k) ?? (await kv.get(k, 'text')) ?? undefined;
        for (const [index, h] of hits.entries()) {
          let arm = h.arm;
          let segment = h.segment;
          if (h.counter !== 'exposed') {
            const x = await markOf(markKey(h.visitor, h.experiment, EXPOSURE_MARK));
            if (x === undefined) continue;
            [arm, segment] = x.split(SEP) as [string, string];
          }
          if (arm === undefined || segment === undefined) continue;
          const mk = markKey(h.visitor, h.experiment, h.mark);
          if ((await markOf(mk)) !== undefined) continue;
          const key = counterKey({ experiment: h.experiment, arm, segment, counter: h.counter });
          const value = (c[key] ?? 0) + h.amount;
          // A sum that would overflow is not counted (revenue is read as a finite number everywhere).
          if (!Number.isFinite(value)) continue;
          const markValue = h.counter === 'exposed' ? `${arm}${SEP}${segment}` : '1';
          written.set(mk, markValue);
          marksToWrite.push([mk, markValue]);
          c[key] = value;
          out.push({ index, arm, segment, value });
        }
        if (out.length === 0) return out;
        // Counter first: a crash before the marks can count a replay again, never lose a count.
        await kv.put(componentKey(node), JSON.stringify(c));
        await Promise.all(marksToWrite.map(([k, v]) => kv.put(k, v)));
        return out;
      });
    },
    async load() {
      const state = emptyLedger();
      for (const name of await listAll(`${prefix}lc:`)) {
        const node = name.slice(`${prefix}lc:`.length);
        const text = await kv.get(name, 'text');
        const stored = text ? (JSON.parse(text) as Record<string, number>) : {};
        const held = components.get(node) ?? {};
        for (const key of new Set([...Object.keys(stored), ...Object.keys(held)])) {
          const counter = state.counters[key] ?? {};
          counter[node] = Math.max(stored[key] ?? 0, held[key] ?? 0);
          state.counters[key] = counter;
        }
      }
      for (const name of await listAll(`${prefix}ls:`)) {
        const text = await kv.get(name, 'text');
        if (text) state.status[name.slice(`${prefix}ls:`.length)] = JSON.parse(text) as StatusRegister;
      }
      return state;
    },
    async merge(other) {
      const byNode = new Map<string, Array<[string, number]>>();
      for (const [key, counter] of Object.entries(other.counters))
        for (const [node, value] of Object.entries(counter)) {
          const list = byNode.get(node) ?? [];
          list.push([key, value]);
          byNode.set(node, list);
        }
      for (const [node, entries] of byNode)
        await mutex.run(node, async () => {
          const c = await component(node);
          let raised = false;
          for (const [key, value] of entries)
            if (value > (c[key] ?? 0)) {
              c[key] = value;
              raised = true;
            }
          if (raised) await kv.put(componentKey(node), JSON.stringify(c));
        });
      for (const [experiment, register] of Object.entries(other.status))
        await this.putStatus(experiment, register);
    },
    putStatus(experiment, register) {
      return mutex.run(`status${SEP}${experiment}`, async () => {
        const text = await kv.get(statusKey(experiment), 'text');
        const stored = text ? (JSON.parse(text) as StatusRegister) : undefined;
        const next = laterStatus(stored, register);
        if (next && next !== stored) await kv.put(statusKey(experiment), JSON.stringify(next));
      });
    },
    async forget(visitor) {
      const names = await listAll(`${prefix}lm:${visitor}${SEP}`);
      await Promise.all(names.map((n) => kv.delete(n)));
    },
    async close() {},
  };
}
