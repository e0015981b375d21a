/**
 * On-device learning for one visitor, with the simulator's client code
 * (src/federated/client.ts): local epochs against the downloaded item table,
 * the clipped update to send, and recommendations from the visitor's own
 * vector times the table, computed and rendered in the browser.
 * @module
 */
import { type ClientData, gramOf, solveUser, trainLocally } from '../../federated/client.js';
import { clipBeforeRounding } from '../../federated/secure-agg.js';
import type { DeviceState } from './device-store.js';
import type { GlobalModel } from './protocol.js';

/** The visitor's history as row indices of the table (items the table does not know are skipped). */
export function clientData(state: DeviceState, m: GlobalModel): ClientData {
  const row = new Map(m.items.map((id, i) => [id, i]));
  const items: number[] = [];
  const values: number[] = [];
  for (const [item, w] of Object.entries(state.history)) {
    const i = row.get(item);
    if (i !== undefined) {
      items.push(i);
      values.push(w);
    }
  }
  return { items: Int32Array.from(items), values: Float32Array.from(values) };
}

/** Local epochs; returns the clipped update (stays here until masked) and stores the user vector in `state`. */
export function trainOnDevice(state: DeviceState, m: GlobalModel): Float32Array | undefined {
  const data = clientData(state, m);
  if (data.items.length === 0) return undefined;
  const u = trainLocally(m.table, data, {
    dim: m.dim,
    alpha: m.local.alpha,
    lambda: m.local.lambda,
    epochs: m.local.epochs,
    learningRate: m.local.learningRate,
    clip: clipBeforeRounding(m.clip, m.table.length, m.scale),
  });
  return u.delta;
}

/** Solves the visitor's vector against the table and keeps it on the device. */
export function solveVisitor(state: DeviceState, m: GlobalModel): Float64Array | undefined {
  const data = clientData(state, m);
  if (data.items.length === 0) return undefined;
  const opts = { dim: m.dim, alpha: m.local.alpha, lambda: m.local.lambda };
  const x = solveUser(m.table, gramOf(m.table, m.items.length, m.dim), data, opts);
  state.user = { vector: [...x], version: m.version };
  return x;
}

/** The top `n` items by user vector · item embedding, excluding what the visitor already has. */
export function recommendOnDevice(state: DeviceState, m: GlobalModel, n: number): string[] {
  const x = state.user?.vector;
  if (!x) return [];
  const scored: Array<[string, number]> = [];
  for (let i = 0; i < m.items.length; i++) {
    const id = m.items[i]!;
    if (state.history[id] !== undefined) continue;
    let s = 0;
    for (let p = 0; p < m.dim; p++) s += x[p]! * m.table[i * m.dim + p]!;
    scored.push([id, s]);
  }
  scored.sort((a, b) => b[1] - a[1]);
  return scored.slice(0, n).map(([id]) => id);
}
