/**
 * The envelope every message on the bus travels in: what kind of news it is,
 * which node sent it (so a node skips its own), which visitor it is about,
 * and the payload bytes (an encoded profile delta, a model version, a
 * rollout's counts, a batch of events for the live model, ...). Kinds are
 * only ever appended: an older node refuses a new kind, never misreads it.
 *
 * Binary, big-endian:
 *   u8 version (1) · u8 kind · u8 node length · node (UTF-8) ·
 *   u16 visitor length + 1 (0 = no visitor) · visitor (UTF-8) · payload (rest)
 * The version byte comes first so a node can refuse a format it does not know
 * instead of misreading it (mixed versions during a rolling upgrade).
 * @module
 */
import { TesseraError } from '../core/errors.js';

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_KINDS = ['delta', 'model', 'tombstone', 'consent', 'rollout', 'events'] as const;
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number];

export interface Envelope {
  kind: EnvelopeKind;
  /** The sending node's id (at most 255 UTF-8 bytes). */
  node: string;
  /** The visitor the message is about (at most 65534 UTF-8 bytes). */
  visitor?: string;
  payload: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function envelopeError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(400, `[tessera] [bus] ${message}`, { cause });
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  const kind = ENVELOPE_KINDS.indexOf(e.kind);
  if (kind < 0) throw envelopeError(`unknown envelope kind ${JSON.stringify(e.kind)}`);
  const node = encoder.encode(e.node);
  if (node.byteLength === 0 || node.byteLength > 255) throw envelopeError('node id must be 1..255 bytes');
  const visitor = e.visitor === undefined ? undefined : encoder.encode(e.visitor);
  if (visitor && visitor.byteLength > 0xfffe) throw envelopeError('visitor id is over 65534 bytes');
  const visitorLength = visitor?.byteLength ?? 0;
  const out = new Uint8Array(3 + node.byteLength + 2 + visitorLength + e.payload.byteLength);
  const view = new DataView(out.buffer);
  let at = 0;
  out[at++] = ENVELOPE_VERSION;
  out[at++] = kind;
  out[at++] = node.byteLength;
  out.set(node, at);
  at += node.byteLength;
  view.setUint16(at, visitor ? visitorLength + 1 : 0);
  at += 2;
  if (visitor) out.set(visitor, at);
  at += visitorLength;
  out.set(e.payload, at);
  return out;
}

/** Throws a 400 `[tessera] [bus]` error for anything that is not a version-1 envelope. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.byteLength < 5) throw envelopeError(`envelope of ${bytes.byteLength} bytes is too short`);
  if (bytes[0] !== ENVELOPE_VERSION) throw envelopeError(`unknown envelope version ${bytes[0]}`);
  const kind = ENVELOPE_KINDS[bytes[1]!];
  if (kind === undefined) throw envelopeError(`unknown envelope kind ${bytes[1]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nodeLength = bytes[2]!;
  let at = 3;
  const node = text(bytes, at, nodeLength, 'node');
  at += nodeLength;
  if (at + 2 > bytes.byteLength) throw envelopeError('envelope is truncated');
  const visitorField = view.getUint16(at);
  at += 2;
  const envelope: Envelope = { kind, node, payload: new Uint8Array(0) };
  if (visitorField > 0) {
    envelope.visitor = text(bytes, at, visitorField - 1, 'visitor');
    at += visitorField - 1;
  }
  envelope.payload = bytes.slice(at);
  if (node === '') throw envelopeError('envelope has an empty node id');
  return envelope;
}

function text(bytes: Uint8Array, at: number, length: number, what: string): string {
  if (at + length > bytes.byteLength) throw envelopeError(`envelope is truncated in its ${what}`);
  try {
    return decoder.decode(bytes.subarray(at, at + length));
  } catch (e) {
    throw envelopeError(`envelope ${what} is not UTF-8`, e);
  }
}
