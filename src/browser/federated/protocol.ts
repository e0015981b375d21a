/**
 * The browser's side of one federated round against the edge's
 * `/federated/*` endpoints (src/federated/routes.ts): join with a fresh
 * ECDH key, wait for the neighbours' keys, send the masked update, then
 * reveal the seeds shared with neighbours that dropped. Only masked words
 * and seeds of dropped peers leave the device.
 * @module
 */
import { fromBase64Url, toBase64Url } from '../../core/identity/base64url.js';
import { generateMaskingKeys, MaskingClient, quantize } from '../../federated/secure-agg.js';

export interface GlobalModel {
  version: number;
  round: number;
  items: string[];
  dim: number;
  clip: number;
  scale: number;
  local: { epochs: number; learningRate: number; alpha: number; lambda: number };
  table: Float32Array;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A JSON answer of the round endpoints (shapes in src/federated/routes.ts). */
type Answer = Record<string, unknown>;

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: Answer }> {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Answer };
}

export async function fetchModel(base: string): Promise<GlobalModel> {
  const r = await fetch(`${base}/federated/model`);
  if (!r.ok) throw new Error(`[tessera] [federated] model: HTTP ${r.status}`);
  const m = (await r.json()) as Omit<GlobalModel, 'table'> & { table: string };
  const raw = fromBase64Url(m.table)!;
  const table = new Float32Array(raw.length / 4);
  new Uint8Array(table.buffer).set(raw);
  return { ...m, table };
}

/** Poll `path` until it answers 200 (202 means "not yet"); throws on anything else. */
async function until(base: string, path: string, body: unknown, pollMs: number): Promise<Answer> {
  for (;;) {
    const r = await post(base, path, body);
    if (r.status === 200) return r.json;
    if (r.status !== 202)
      throw new Error(`[tessera] [federated] ${path}: HTTP ${r.status} ${r.json.error ?? ''}`);
    await sleep(pollMs);
  }
}

/**
 * Takes part in the edge's current round with `delta` (already clipped so its
 * rounded form is within the clip norm); resolves to the round number once
 * the round no longer needs this client.
 */
export async function takePart(
  base: string,
  delta: Float32Array,
  scale: number,
  pollMs = 100,
): Promise<number> {
  const keys = await generateMaskingKeys();
  const joined = await post(base, '/federated/join', { publicKey: toBase64Url(keys.publicKey) });
  if (joined.status !== 200)
    throw new Error(`[tessera] [federated] join: HTTP ${joined.status} ${joined.json.error ?? ''}`);
  const me = {
    round: joined.json.round as number,
    client: joined.json.client as number,
    token: joined.json.token as string,
  };
  const masking = MaskingClient.fromKeys(me.client, keys);
  const { peers } = await until(base, '/federated/keys', me, pollMs);
  const peerKeys = (peers as Array<{ id: number; publicKey: string }>).map((p) => ({
    id: p.id,
    publicKey: fromBase64Url(p.publicKey)!,
  }));
  const masked = await masking.mask(me.round, quantize(delta, scale), peerKeys);
  const sent = await post(base, '/federated/submit', {
    ...me,
    masked: toBase64Url(new Uint8Array(masked.buffer)),
  });
  if (sent.status !== 202)
    throw new Error(`[tessera] [federated] submit: HTTP ${sent.status} ${sent.json.error ?? ''}`);
  const dropped = (await until(base, '/federated/unmask', me, pollMs)).dropped as number[];
  if (dropped.length > 0)
    await post(base, '/federated/reveal', {
      ...me,
      seeds: masking.reveal(me.round, dropped).map((s) => ({ peer: s.peer, seed: toBase64Url(s.seed) })),
    });
  return me.round;
}
