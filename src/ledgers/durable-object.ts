/**
 * The experiment ledger in Durable Objects, for Workers that need every
 * isolate and location to count a visitor exactly once (KV cannot: see
 * cloudflare-kv.ts).
 *
 * One object per experiment (`idFromName(prefix + "x:" + experiment)`) holds
 * that experiment's counters (`c:<counterKey>` → every node's component), its
 * status register (`s`) and its dedupe marks (`m:<visitor>\u0001<mark>`: the
 * exposure's `arm\u0001segment`, or `1`). A `count` reads the marks and the
 * counters and writes both in one multi-key `put`, which the object's storage
 * commits atomically; the object runs its operations one at a time (a queue
 * in the object, on top of the input gate), so two isolates sending the same
 * visitor's mark at once reach it in turn and the second finds the mark.
 * Nothing is acknowledged before it is stored (the output gate holds the
 * answer until the write is durable).
 *
 * A directory object (`idFromName(prefix + "directory")`) lists the
 * experiments, for `load` and for erasure: `forget(visitor)` asks every
 * experiment's object to delete the visitor's marks. An experiment is
 * entered in the directory before its object is first written, so `load`
 * never misses a counted experiment.
 *
 * Export `TesseraLedger` from the Worker and bind it as `TESSERA_LEDGER`
 * (see examples/cloudflare). Its protocol: `POST https://do/<op>` with a JSON
 * body; it carries counts, statuses and visitor ids inside the account's
 * Worker-to-object channel only.
 * @module
 */
import type {
  DurableObjectBatchStorageLike,
  DurableObjectNamespaceLike,
} from '../connections/cloudflare-bindings.js';
import { TesseraError } from '../core/errors.js';
import type { GCounter } from '../core/experiments/bandit.js';
import {
  counterKey,
  emptyLedger,
  type LedgerState,
  laterStatus,
  parseCounterKey,
  type StatusRegister,
} from '../core/experiments/ledger-state.js';
import {
  type CountedHit,
  EXPOSURE_MARK,
  type LedgerHit,
  type LedgerStore,
} from '../core/experiments/ledger-store.js';
import { KeyedMutex } from '../core/keyed-mutex.js';

const NAME = 'durable-object-ledger';
const SEP = '\u0001';
/** Keys per storage call: the Durable Object limit for multi-key get, put and delete. */
const BATCH = 128;

export interface DurableObjectLedgerStoreOptions {
  /** The binding of the `TesseraLedger` class. */
  namespace: DurableObjectNamespaceLike;
  /** Prepended to every object name, to share a class between sites or tests. */
  prefix?: string;
}

/** One experiment's part of the ledger, as its object answers `load`. */
interface ExperimentState {
  counters: Record<string, GCounter>;
  status?: StatusRegister;
}

/** The Durable Object class: an experiment's ledger, or the directory of experiments. */
export class TesseraLedger {
  /** Operations run one at a time: a read-then-write never interleaves with another. */
  private readonly queue = new KeyedMutex();
  private readonly storage: DurableObjectBatchStorageLike;

  constructor(state: { readonly storage: DurableObjectBatchStorageLike }, _env?: unknown) {
    this.storage = state.storage;
  }

  async fetch(req: Request): Promise<Response> {
    const op = new URL(req.url).pathname.slice(1);
    const body = req.method === 'POST' ? await req.text() : '';
    const arg = body === '' ? undefined : JSON.parse(body);
    const run = this.operation(op);
    if (!run) return new Response(`[tessera] [${NAME}] unknown operation "${op}"`, { status: 404 });
    const result = await this.queue.run('', () => run(arg as never));
    return result === undefined ? new Response(null, { status: 204 }) : Response.json(result);
  }

  private operation(op: string): ((arg: never) => Promise<unknown>) | undefined {
    switch (op) {
      case 'count':
        return (a: { node: string; hits: LedgerHit[] }) => this.count(a.node, a.hits);
      case 'load':
        return () => this.load();
      case 'merge':
        return (a: ExperimentState) => this.merge(a);
      case 'put-status':
        return (a: StatusRegister) => this.putStatus(a);
      case 'forget':
        return (a: { visitor: string }) => this.forget(a.visitor);
      case 'enter':
        return (a: { experiment: string }) => this.storage.put(`e:${a.experiment}`, 1);
      case 'experiments':
        return async () => [...(await this.listAll('e:')).keys()].map((k) => k.slice(2));
      default:
        return undefined;
    }
  }

  /** Hits of this object's experiment; indices are the positions in `hits`. */
  private async count(node: string, hits: LedgerHit[]): Promise<CountedHit[]> {
    const counters = new Map<string, GCounter>();
    const marks = new Map<string, string | undefined>();
    const markOf = async (k: string) => {
      if (!marks.has(k)) marks.set(k, await this.storage.get<string>(k));
      return marks.get(k);
    };
    const counterOf = async (k: string) => {
      let c = counters.get(k);
      if (!c) {
        c = (await this.storage.get<GCounter>(`c:${k}`)) ?? {};
        counters.set(k, c);
      }
      return c;
    };
    const out: CountedHit[] = [];
    const writes: Record<string, unknown> = {};
    for (const [index, h] of hits.entries()) {
      let arm = h.arm;
      let segment = h.segment;
      if (h.counter !== 'exposed') {
        const x = await markOf(`m:${h.visitor}${SEP}${EXPOSURE_MARK}`);
        if (x === undefined) continue;
        [arm, segment] = x.split(SEP) as [string, string];
      }
      if (arm === undefined || segment === undefined) continue;
      const mk = `m:${h.visitor}${SEP}${h.mark}`;
      if ((await markOf(mk)) !== undefined) continue;
      const key = counterKey({ experiment: h.experiment, arm, segment, counter: h.counter });
      const c = await counterOf(key);
      const value = (c[node] ?? 0) + h.amount;
      // A sum that would overflow is not counted (revenue is read as a finite number everywhere).
      if (!Number.isFinite(value)) continue;
      c[node] = value;
      const markValue = h.counter === 'exposed' ? `${arm}${SEP}${segment}` : '1';
      marks.set(mk, markValue);
      writes[mk] = markValue;
      writes[`c:${key}`] = c;
      out.push({ index, arm, segment, value });
    }
    // Marks and counters in one atomic write: neither is stored without the other.
    await this.putAll(writes);
    return out;
  }

  private async load(): Promise<ExperimentState> {
    const counters: Record<string, GCounter> = {};
    for (const [k, c] of await this.listAll<GCounter>('c:')) counters[k.slice(2)] = c;
    const status = await this.storage.get<StatusRegister>('s');
    return status ? { counters, status } : { counters };
  }

  private async merge(theirs: ExperimentState): Promise<void> {
    const writes: Record<string, unknown> = {};
    for (const [key, counter] of Object.entries(theirs.counters)) {
      if (!parseCounterKey(key)) continue;
      const mine = (await this.storage.get<GCounter>(`c:${key}`)) ?? {};
      let raised = false;
      for (const [node, v] of Object.entries(counter))
        if (Number.isFinite(v) && v > (mine[node] ?? 0)) {
          mine[node] = v;
          raised = true;
        }
      if (raised) writes[`c:${key}`] = mine;
    }
    await this.putAll(writes);
    if (theirs.status) await this.putStatus(theirs.status);
  }

  private async putStatus(register: StatusRegister): Promise<void> {
    const stored = await this.storage.get<StatusRegister>('s');
    const next = laterStatus(stored, register);
    if (next && next !== stored) await this.storage.put('s', next);
  }

  private async forget(visitor: string): Promise<void> {
    const keys = [...(await this.listAll(`m:${visitor}${SEP}`)).keys()];
    const deletes: Promise<number>[] = [];
    for (let i = 0; i < keys.length; i += BATCH) deletes.push(this.storage.delete(keys.slice(i, i + BATCH)));
    await Promise.all(deletes);
  }

  /**
   * Puts of at most 128 keys, issued with no `await` between them: the
   * object's storage commits such a series as one atomic write.
   */
  private async putAll(writes: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(writes);
    const puts: Promise<void>[] = [];
    for (let i = 0; i < entries.length; i += BATCH)
      puts.push(this.storage.put(Object.fromEntries(entries.slice(i, i + BATCH))));
    await Promise.all(puts);
  }

  private async listAll<T>(prefix: string): Promise<Map<string, T>> {
    const all = new Map<string, T>();
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.storage.list<T>({ prefix, limit: 1000, ...(startAfter ? { startAfter } : {}) });
      for (const [k, v] of page) all.set(k, v);
      if (page.size < 1000) return all;
      startAfter = [...page.keys()].at(-1);
    }
  }
}

export function createDurableObjectLedgerStore(o: DurableObjectLedgerStoreOptions): LedgerStore {
  const prefix = o.prefix ?? '';
  /** Experiments this handle has seen in the directory: entered once per handle. */
  const entered = new Set<string>();

  async function call<T>(name: string, op: string, arg?: unknown): Promise<T | undefined> {
    let res: Response;
    try {
      const stub = o.namespace.get(o.namespace.idFromName(prefix + name));
      res = await stub.fetch(`https://do/${op}`, {
        method: 'POST',
        ...(arg === undefined ? {} : { body: JSON.stringify(arg) }),
      });
    } catch (e) {
      throw new TesseraError(500, `[tessera] [${NAME}] ${op} on "${name}" failed`, { cause: e });
    }
    if (!res.ok)
      throw new TesseraError(500, `[tessera] [${NAME}] ${op} on "${name}" failed: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as T);
  }

  const experimentObject = (experiment: string) => `x:${experiment}`;

  async function enter(experiment: string): Promise<void> {
    if (entered.has(experiment)) return;
    await call('directory', 'enter', { experiment });
    entered.add(experiment);
  }

  async function experiments(): Promise<string[]> {
    const list = (await call<string[]>('directory', 'experiments')) ?? [];
    for (const e of list) entered.add(e);
    return list;
  }

  return {
    name: NAME,
    async count(node, hits) {
      const byExperiment = new Map<string, Array<{ index: number; hit: LedgerHit }>>();
      for (const [index, hit] of hits.entries()) {
        const list = byExperiment.get(hit.experiment) ?? [];
        list.push({ index, hit });
        byExperiment.set(hit.experiment, list);
      }
      const parts = await Promise.all(
        [...byExperiment].map(async ([experiment, list]) => {
          await enter(experiment);
          const counted =
            (await call<CountedHit[]>(experimentObject(experiment), 'count', {
              node,
              hits: list.map((x) => x.hit),
            })) ?? [];
          return counted.map((c) => ({ ...c, index: list[c.index]!.index }));
        }),
      );
      return parts.flat().sort((a, b) => a.index - b.index);
    },
    async load() {
      const state = emptyLedger();
      const parts = await Promise.all(
        (await experiments()).map(
          async (e) => [e, await call<ExperimentState>(experimentObject(e), 'load')] as const,
        ),
      );
      for (const [experiment, part] of parts) {
        if (!part) continue;
        Object.assign(state.counters, part.counters);
        if (part.status) state.status[experiment] = part.status;
      }
      return state;
    },
    async merge(other: LedgerState) {
      const byExperiment = new Map<string, ExperimentState>();
      const partOf = (e: string) => {
        let p = byExperiment.get(e);
        if (!p) {
          p = { counters: {} };
          byExperiment.set(e, p);
        }
        return p;
      };
      for (const [key, counter] of Object.entries(other.counters)) {
        const address = parseCounterKey(key);
        if (address) partOf(address.experiment).counters[key] = counter;
      }
      for (const [experiment, register] of Object.entries(other.status)) partOf(experiment).status = register;
      await Promise.all(
        [...byExperiment].map(async ([experiment, part]) => {
          await enter(experiment);
          await call(experimentObject(experiment), 'merge', part);
        }),
      );
    },
    async putStatus(experiment, register) {
      await enter(experiment);
      await call(experimentObject(experiment), 'put-status', register);
    },
    async forget(visitor) {
      await Promise.all((await experiments()).map((e) => call(experimentObject(e), 'forget', { visitor })));
    },
    async close() {},
  };
}
