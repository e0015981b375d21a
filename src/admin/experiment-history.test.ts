/**
 * The experiments' history from its three sources: the site's status while
 * nothing overrides it, the audit trail's actions (named by token), and the
 * ledger's status register (other nodes, the CLI, the sequential test). One
 * change seen in both the trail and the ledger is one entry.
 */
import { describe, expect, it } from 'vitest';
import type { EngineExperiments } from '../core/engine-api.js';
import type { LedgerState } from '../core/experiments/ledger-state.js';
import type { AuditEntry } from './audit.js';
import { createExperimentHistory } from './experiment-history.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

function experiments(ledger: LedgerState, status: 'running' | 'paused' = 'paused') {
  let listener: ((d: LedgerState) => void) | undefined;
  const x = {
    list: () => [{ def: { key: 'exp', status, variants: [] } }],
    ledger: () => ledger,
    onLedgerChange(l: (d: LedgerState) => void) {
      listener = l;
      return () => {};
    },
  } as unknown as EngineExperiments;
  return { x, change: (d: LedgerState) => listener?.(d) };
}

const action = (t: number, what: string, status = 200): AuditEntry => ({
  time: new Date(t).toISOString(),
  token: 'ops',
  method: 'POST',
  route: `/admin/api/experiments/exp/${what}`,
  status,
  target: 'exp',
});

describe('experiment history', () => {
  it('starts from the site’s status and adds audited actions, refused ones left out', () => {
    const ledger: LedgerState = { counters: {}, status: {} };
    const { x } = experiments(ledger);
    const h = createExperimentHistory(T0, [action(T0 - 60_000, 'pause', 403)]);
    h.audit(action(T0 + 1_000, 'resume'));
    h.audit({ ...action(T0 + 2_000, 'promote'), method: 'GET' });
    const list = h.json(x).exp!;
    expect(list.map((e) => [e.status, e.by, e.source])).toEqual([
      ['paused', 'site config', 'site'],
      ['running', 'ops', 'audit'],
    ]);
  });

  it('merges the ledger’s register with the audit entry of the same change, and keeps other nodes’ changes', () => {
    const ledger: LedgerState = {
      counters: {},
      status: { exp: { value: { status: 'running' }, at: { p: T0 - 5_000, l: 0, n: 'dev' } } },
    };
    const { x, change } = experiments(ledger);
    const h = createExperimentHistory(T0, []);
    // The register overrides the site: no site entry, the resume by node dev instead.
    expect(h.json(x).exp!.map((e) => [e.status, e.by])).toEqual([['running', 'node dev']]);
    h.audit(action(T0 + 10_000, 'promote'));
    change({
      counters: {},
      status: {
        exp: { value: { promoted: 'b', promotedBy: 'command' }, at: { p: T0 + 10_002, l: 0, n: 'n1' } },
      },
    });
    ledger.status.exp = { value: { status: 'paused' }, at: { p: T0 + 60_000, l: 0, n: 'n2' } };
    const list = h.json(x).exp!;
    expect(list.map((e) => [e.status, e.arm ?? null, e.by])).toEqual([
      ['running', null, 'node dev'],
      ['promoted', 'b', 'ops'],
      ['paused', null, 'node n2'],
    ]);
    // Read again: nothing new, nothing doubled.
    expect(h.json(x).exp).toHaveLength(3);
  });
});
