/**
 * What nodes exchange to close a federated round across regions
 * (hierarchical FedAvg), as a state-based CRDT:
 *
 * - a **partial**: one node's exact sum of its own clients' quantized updates
 *   for one round (already unmasked at that node: see docs/federated.md,
 *   "Aggregation across nodes", for why), keyed by (round, node);
 * - a **closing**: the round's released result, the merged sum plus the
 *   round's Gaussian noise, keyed by (round, closer).
 *
 * `mergeFederation` is a union by key; two different values under one key (a
 * node restarted mid-round and sent another partial) resolve to the larger
 * under a fixed total order, so merging is commutative, associative and
 * idempotent, and a node may resend its whole state as often as it likes.
 *
 * Which closing a round keeps is a function of the state (the lowest closer
 * id), and so is the privacy spent: every closing ever published is one
 * Gaussian release, charged even when it loses, so every node that has seen
 * the same messages states the same ε.
 * @module
 */
import { epsilonOf, roundRho } from './accountant.js';

export interface PartialSum {
  round: number;
  node: string;
  /** Clients whose updates are in `sum`. */
  clients: number;
  /** Σ of their quantized updates, mod 2^32. */
  sum: Uint32Array;
}

export interface RoundClosing {
  round: number;
  /** The node that merged the partials and added the noise. */
  closer: string;
  /** The closer's clock when it closed (also the artifact's createdAt). */
  closedAt: number;
  /** The partials it merged: node → clients. */
  included: Record<string, number>;
  clients: number;
  /** Noise multiplier z, clip C and δ of this release (the accountant reads them from here). */
  z: number;
  clip: number;
  delta: number;
  /** The FedAvg denominator, server learning rate and momentum every node applies. */
  denominator: number;
  learningRate: number;
  momentum: number;
  /** The dequantized merged sum plus N(0, (zC)²) per coordinate. */
  noisySum: Float64Array;
}

export interface FederationState {
  partials: Map<string, PartialSum>;
  closings: Map<string, RoundClosing>;
}

export const emptyFederation = (): FederationState => ({ partials: new Map(), closings: new Map() });

const key = (round: number, id: string) => `${round}/${id}`;

function compareBytes(a: ArrayBufferView, b: ArrayBufferView): number {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** A total order on partials of one key: more clients, then larger bytes. */
function partialOrder(a: PartialSum, b: PartialSum): number {
  return a.clients - b.clients || compareBytes(a.sum, b.sum);
}

/** A total order on closings of one key: later, then larger encoding. */
function closingOrder(a: RoundClosing, b: RoundClosing): number {
  return a.closedAt - b.closedAt || compareBytes(encodeClosing(a), encodeClosing(b));
}

function addPartial(s: FederationState, p: PartialSum): boolean {
  const k = key(p.round, p.node);
  const have = s.partials.get(k);
  if (have && partialOrder(have, p) >= 0) return false;
  s.partials.set(k, p);
  return true;
}

function addClosing(s: FederationState, c: RoundClosing): boolean {
  const k = key(c.round, c.closer);
  const have = s.closings.get(k);
  if (have && closingOrder(have, c) >= 0) return false;
  s.closings.set(k, c);
  return true;
}

/** Merges `from` into `into` in place; true when `into` changed. */
export function mergeInto(into: FederationState, from: FederationState): boolean {
  let changed = false;
  for (const p of from.partials.values()) changed = addPartial(into, p) || changed;
  for (const c of from.closings.values()) changed = addClosing(into, c) || changed;
  return changed;
}

export function mergeFederation(a: FederationState, b: FederationState): FederationState {
  const out = emptyFederation();
  mergeInto(out, a);
  mergeInto(out, b);
  return out;
}

export function partialsOf(s: FederationState, round: number): PartialSum[] {
  return [...s.partials.values()].filter((p) => p.round === round).sort((a, b) => cmp(a.node, b.node));
}

export function closingsOf(s: FederationState, round: number): RoundClosing[] {
  return [...s.closings.values()].filter((c) => c.round === round).sort((a, b) => cmp(a.closer, b.closer));
}

/** The closing a round keeps: the one of the lowest closer id. */
export function winningClosing(s: FederationState, round: number): RoundClosing | undefined {
  return closingsOf(s, round)[0];
}

/** ε at `delta` of everything released: every closing is one Gaussian release. */
export function spentEpsilon(s: FederationState, delta: number): number {
  let rho = 0;
  for (const c of s.closings.values()) rho += c.z === 0 ? Number.POSITIVE_INFINITY : roundRho(c.z);
  return epsilonOf(rho, delta);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---- wire format: u8 version · u8 kind · u32 header length · header JSON · payload bytes ----

const WIRE_VERSION = 1;
const KIND_PARTIAL = 1;
const KIND_CLOSING = 2;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(kind: number, header: unknown, payload: ArrayBufferView): Uint8Array {
  const h = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(6 + h.length + payload.byteLength);
  out[0] = WIRE_VERSION;
  out[1] = kind;
  new DataView(out.buffer).setUint32(2, h.length);
  out.set(h, 6);
  out.set(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), 6 + h.length);
  return out;
}

export function encodePartial(p: PartialSum): Uint8Array {
  return frame(KIND_PARTIAL, { round: p.round, node: p.node, clients: p.clients }, p.sum);
}

export function encodeClosing(c: RoundClosing): Uint8Array {
  // Fixed key order, so equal closings encode to equal bytes (the order above compares them).
  const included = Object.fromEntries(Object.entries(c.included).sort(([a], [b]) => cmp(a, b)));
  const header = {
    round: c.round,
    closer: c.closer,
    closedAt: c.closedAt,
    included,
    clients: c.clients,
    z: c.z,
    clip: c.clip,
    delta: c.delta,
    denominator: c.denominator,
    learningRate: c.learningRate,
    momentum: c.momentum,
  };
  return frame(KIND_CLOSING, header, c.noisySum);
}

/** A partial or a closing from the wire; throws `[tessera] [federated]` on anything else. */
export function decodeFederationMessage(bytes: Uint8Array): PartialSum | RoundClosing {
  const bad = (why: string) => new Error(`[tessera] [federated] bad federation message: ${why}`);
  if (bytes.length < 6 || bytes[0] !== WIRE_VERSION) throw bad('unknown version');
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(2);
  if (6 + length > bytes.length) throw bad('truncated header');
  const header = JSON.parse(decoder.decode(bytes.subarray(6, 6 + length)));
  // Copied into a buffer of its own, aligned (a Node Buffer's `slice` would be a view into a pool).
  const payload = new Uint8Array(bytes.subarray(6 + length)).buffer;
  if (bytes[1] === KIND_PARTIAL) {
    if (payload.byteLength % 4 !== 0) throw bad('partial sum is not whole uint32 words');
    return { ...(header as Omit<PartialSum, 'sum'>), sum: new Uint32Array(payload) };
  }
  if (bytes[1] === KIND_CLOSING) {
    if (payload.byteLength % 8 !== 0) throw bad('closing sum is not whole float64 words');
    return { ...(header as Omit<RoundClosing, 'noisySum'>), noisySum: new Float64Array(payload) };
  }
  throw bad(`unknown kind ${bytes[1]}`);
}

export const isClosing = (m: PartialSum | RoundClosing): m is RoundClosing => 'closer' in m;

export function stateOf(messages: ReadonlyArray<PartialSum | RoundClosing>): FederationState {
  const s = emptyFederation();
  for (const m of messages)
    if (isClosing(m)) addClosing(s, m);
    else addPartial(s, m);
  return s;
}
