/**
 * The ledger store in this process's memory: what an engine uses when its
 * host gives it none (tests, the simulator, `memory:` stores). It lives in
 * the core because the engine falls back to it; `src/ledgers/memory.ts`
 * re-exports it beside the other drivers. Nothing survives the process.
 * @module
 */
import {
  counterAt,
  counterKey,
  emptyLedger,
  type LedgerState,
  laterStatus,
  mergeLedgerInto,
} from './ledger-state.js';
import { type CountedHit, EXPOSURE_MARK, type LedgerStore } from './ledger-store.js';

const SEP = '\u0001';

export function createMemoryLedgerStore(): LedgerStore {
  const state = emptyLedger();
  /** experiment SEP visitor SEP mark → value (the exposure's arm SEP segment) */
  const marks = new Map<string, string>();
  return {
    name: 'memory',
    async count(node, hits) {
      const out: CountedHit[] = [];
      hits.forEach((h, index) => {
        const base = `${h.experiment}${SEP}${h.visitor}${SEP}`;
        let arm = h.arm;
        let segment = h.segment;
        if (h.counter !== 'exposed') {
          const x = marks.get(base + EXPOSURE_MARK);
          if (x === undefined) return;
          [arm, segment] = x.split(SEP) as [string, string];
        }
        if (arm === undefined || segment === undefined) return;
        const markKey = base + h.mark;
        if (marks.has(markKey)) return;
        const key = counterKey({ experiment: h.experiment, arm, segment, counter: h.counter });
        const c = counterAt(state, key);
        const value = (c[node] ?? 0) + h.amount;
        // A sum that would overflow is not counted (revenue is read as a finite number everywhere).
        if (!Number.isFinite(value)) return;
        marks.set(markKey, h.counter === 'exposed' ? `${arm}${SEP}${segment}` : '1');
        c[node] = value;
        out.push({ index, arm, segment, value });
      });
      return out;
    },
    async load() {
      return structuredClone(state);
    },
    async merge(other) {
      mergeLedgerInto(state, other);
    },
    async forget(visitor) {
      const part = `${SEP}${visitor}${SEP}`;
      for (const key of [...marks.keys()]) if (key.includes(part)) marks.delete(key);
    },
    async putStatus(experiment, register) {
      const next = laterStatus(state.status[experiment], register);
      if (next) state.status[experiment] = structuredClone(next);
    },
    async close() {},
  };
}

export type { LedgerState };
