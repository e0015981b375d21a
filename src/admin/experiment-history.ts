/**
 * Experiments with their history (`GET /admin/api/history`, `read:stats`):
 * when each was started, paused, resumed or promoted, and by whom, as far as
 * this node can tell. Three sources, each honest about what it knows:
 *
 * - `site`: the status the site configures, stamped with this node's start
 *   (Tessera keeps no start date: it is the node's start, not the
 *   experiment's), when no ledger register overrides it yet.
 * - `audit`: the admin API's successful experiment actions (pause, resume,
 *   promote, stop) from the audit trail: the ones before this process from
 *   the trail's file when the host keeps one (Node), the later ones as they
 *   are written; named by their token.
 * - `ledger`: the experiment ledger's status register (pause, resume,
 *   promote by `tessera experiment`, by another node, by the sequential test
 *   or a bandit stop). The ledger keeps only the latest change per
 *   experiment, stamped with its hybrid clock: a change overwritten before
 *   this node saw it (it looks on every change it makes and every history
 *   read) is not in the list.
 *
 * An action through the admin API shows up in both the audit trail and the
 * ledger; the two are one entry when they say the same within a few seconds.
 * @module
 */
import type { EngineExperiments } from '../core/engine-api.js';
import type { LedgerState, StatusRegister } from '../core/experiments/ledger-state.js';
import type { AuditEntry } from './audit.js';

export interface HistoryEntry {
  /** Epoch ms. */
  t: number;
  status: 'running' | 'paused' | 'promoted';
  /** The promoted arm, when known. */
  arm?: string;
  /** A token's name, `site config`, `command`, `sequential test`, `bandit`, or a node. */
  by: string;
  source: 'site' | 'audit' | 'ledger';
}

/** Audit entries and ledger registers this close (ms) and saying the same are one change. */
const SAME_CHANGE_MS = 5_000;
const PER_EXPERIMENT = 100;

const ACTION_STATUS: Record<string, HistoryEntry['status']> = {
  pause: 'paused',
  resume: 'running',
  promote: 'promoted',
  stop: 'promoted',
};

export interface ExperimentHistory {
  /** An audit entry as it is written (or read back from the trail). */
  audit(entry: AuditEntry): void;
  /** The ledger's status registers, as this node holds them now. */
  ledger(state: LedgerState): void;
  /** Every experiment's entries, oldest first. */
  json(x: EngineExperiments): Record<string, HistoryEntry[]>;
}

function ledgerEntry(r: StatusRegister): HistoryEntry {
  const v = r.value;
  const by = v.promotedBy ?? `node ${r.at.n}`;
  if (v.promoted !== undefined)
    return { t: r.at.p, status: 'promoted', arm: v.promoted, by, source: 'ledger' };
  return { t: r.at.p, status: v.status ?? 'running', by, source: 'ledger' };
}

export function createExperimentHistory(
  startedAt: number,
  earlier: readonly AuditEntry[] = [],
): ExperimentHistory {
  const entries = new Map<string, HistoryEntry[]>();
  /** The register time last seen per experiment, so a register is read once. */
  const seen = new Map<string, string>();
  const configured = new Set<string>();
  let listening = false;

  function add(key: string, e: HistoryEntry): void {
    let list = entries.get(key);
    if (!list) {
      list = [];
      entries.set(key, list);
    }
    const twin = list.find(
      (x) => x.status === e.status && x.source !== e.source && Math.abs(x.t - e.t) <= SAME_CHANGE_MS,
    );
    if (twin) {
      // One change: the audit's token names who, the ledger's register knows the arm.
      if (e.arm !== undefined) twin.arm ??= e.arm;
      if (e.source === 'audit') twin.by = e.by;
      return;
    }
    list.push(e);
    list.sort((a, b) => a.t - b.t);
    if (list.length > PER_EXPERIMENT) list.shift();
  }

  const history: ExperimentHistory = {
    audit(entry) {
      if (entry.method !== 'POST' || entry.status !== 200) return;
      const m = /^\/admin\/api\/experiments\/([^/]+)\/([a-z]+)$/.exec(entry.route);
      const status = m && ACTION_STATUS[m[2]!];
      if (!m || !status) return;
      const t = Date.parse(entry.time);
      if (Number.isFinite(t)) add(m[1]!, { t, status, by: entry.token, source: 'audit' });
    },
    ledger(state) {
      for (const [key, r] of Object.entries(state.status)) {
        const stamp = `${r.at.p}.${r.at.l}.${r.at.n}`;
        if (seen.get(key) === stamp) continue;
        seen.set(key, stamp);
        add(key, ledgerEntry(r));
      }
    },
    json(x) {
      if (!listening) {
        listening = true;
        // From the first read on, status changes this node makes (the sequential test's too) arrive as they happen.
        x.onLedgerChange((delta) => history.ledger(delta));
      }
      const state = x.ledger();
      for (const v of x.list()) {
        const key = v.def.key;
        if (configured.has(key)) continue;
        configured.add(key);
        // Without a register, what runs is the site's own status; with one, the site's is overridden and unknown here.
        if (state.status[key] === undefined)
          add(key, {
            t: startedAt,
            ...(v.def.promoted !== undefined
              ? { status: 'promoted' as const, arm: v.def.promoted }
              : { status: v.def.status ?? 'running' }),
            by: 'site config',
            source: 'site',
          });
      }
      history.ledger(state);
      const out: Record<string, HistoryEntry[]> = {};
      for (const v of x.list()) out[v.def.key] = [...(entries.get(v.def.key) ?? [])];
      return out;
    },
  };
  for (const e of earlier) history.audit(e);
  return history;
}
