/**
 * The `federated` section of a site's config (site.json), which makes
 * `tessera serve` / `tessera dev` run the round endpoints (`--federated`
 * turns it on with these defaults). Every field is optional:
 *
 *   "federated": { "enabled": true, "clientsPerRound": 8, "minClients": 4,
 *                  "epsilon": 8, "delta": 1e-5, "rounds": 30,
 *                  "nodes": ["eu-1", "us-1"] }
 *
 * `clientsPerRound` is per node (its registration closes at that many);
 * `minClients` counts clients across the federation (`nodes`, the node ids
 * that contribute; default this node alone). Values are checked at start,
 * so a typo fails with the field's name rather than training with a default.
 * @module
 */
import { FEDERATED_DEFAULT_ROUNDS, FEDERATED_DEFAULTS } from './simulate.js';

export interface FederatedSettings {
  enabled: boolean;
  /** Clients per round on this node. */
  clientsPerRound: number;
  /** A round closes with at least this many clients across the federation (default half of them all). */
  minClients?: number;
  /** A node publishes no partial of fewer clients (default 2). */
  minClientsPerNode: number;
  /** Total ε at δ over `rounds` (Infinity, or "inf" in JSON: no noise). */
  epsilon: number;
  delta: number;
  rounds: number;
  dim: number;
  clip: number;
  local: { epochs: number; learningRate: number; alpha: number; lambda: number };
  serverLearningRate: number;
  momentum: number;
  registerMs: number;
  submitMs: number;
  unmaskMs: number;
  /** Node ids of the federation (default: this node alone). */
  nodes?: string[];
  /** How long the closer waits for a member that has not contributed, ms. */
  graceMs: number;
  /** Seed of the initial item table, the same on every node. */
  seed: number;
}

export const FEDERATED_SETTINGS_DEFAULTS: FederatedSettings = {
  enabled: false,
  clientsPerRound: 8,
  minClientsPerNode: 2,
  epsilon: 8,
  delta: 1e-5,
  rounds: FEDERATED_DEFAULT_ROUNDS,
  dim: FEDERATED_DEFAULTS.dim,
  clip: FEDERATED_DEFAULTS.clip,
  local: {
    epochs: FEDERATED_DEFAULTS.epochs,
    learningRate: FEDERATED_DEFAULTS.learningRate,
    alpha: FEDERATED_DEFAULTS.alpha,
    lambda: FEDERATED_DEFAULTS.lambda,
  },
  serverLearningRate: FEDERATED_DEFAULTS.serverLearningRate,
  momentum: FEDERATED_DEFAULTS.momentum,
  registerMs: 30_000,
  submitMs: 60_000,
  unmaskMs: 30_000,
  graceMs: 2_000,
  seed: 1,
};

const bad = (field: string, what: string) =>
  new Error(`[tessera] [federated] site config federated.${field} must be ${what}`);

function positive(v: unknown, field: string, integer = false): number {
  const n = typeof v === 'number' ? v : Number.NaN;
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw bad(field, integer ? 'a positive integer' : 'a positive number');
  return n;
}

/** The settings a site's `federated` section (and `--federated`) asks for; `undefined` when neither is there. */
export function parseFederatedSettings(raw: unknown, enable = false): FederatedSettings | undefined {
  if (raw === undefined && !enable) return undefined;
  if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw)))
    throw bad('', 'an object');
  const r = (raw ?? {}) as Record<string, unknown>;
  const d = FEDERATED_SETTINGS_DEFAULTS;
  const s: FederatedSettings = { ...d, local: { ...d.local } };
  if (r.enabled !== undefined && typeof r.enabled !== 'boolean') throw bad('enabled', 'true or false');
  s.enabled = enable || r.enabled === true;
  const ints = ['clientsPerRound', 'minClients', 'minClientsPerNode', 'rounds', 'dim', 'seed'] as const;
  for (const k of ints) if (r[k] !== undefined) s[k] = positive(r[k], k, true);
  const nums = [
    'delta',
    'clip',
    'serverLearningRate',
    'registerMs',
    'submitMs',
    'unmaskMs',
    'graceMs',
  ] as const;
  for (const k of nums) if (r[k] !== undefined) s[k] = positive(r[k], k);
  if (r.momentum !== undefined) {
    if (typeof r.momentum !== 'number' || !(r.momentum >= 0 && r.momentum < 1))
      throw bad('momentum', 'in [0, 1)');
    s.momentum = r.momentum;
  }
  if (r.epsilon !== undefined)
    s.epsilon = r.epsilon === 'inf' ? Number.POSITIVE_INFINITY : positive(r.epsilon, 'epsilon');
  if (!(s.delta < 1)) throw bad('delta', 'below 1');
  if (r.local !== undefined) {
    if (!r.local || typeof r.local !== 'object') throw bad('local', 'an object');
    const l = r.local as Record<string, unknown>;
    if (l.epochs !== undefined) s.local.epochs = positive(l.epochs, 'local.epochs', true);
    for (const k of ['learningRate', 'alpha', 'lambda'] as const)
      if (l[k] !== undefined) s.local[k] = positive(l[k], `local.${k}`);
  }
  if (r.nodes !== undefined) {
    if (!Array.isArray(r.nodes) || r.nodes.length === 0 || !r.nodes.every((n) => typeof n === 'string' && n))
      throw bad('nodes', 'a non-empty list of node ids');
    s.nodes = [...new Set(r.nodes as string[])];
  }
  if (s.clientsPerRound < s.minClientsPerNode)
    throw bad('clientsPerRound', `at least minClientsPerNode (${s.minClientsPerNode})`);
  return s;
}
