/**
 * The round endpoints browsers that chose on-device learning talk to, as an
 * `EngineRoute` under `/federated/`. JSON in and out; binary fields
 * (keys, updates, seeds, the item table) are base64url.
 *
 *   GET  /federated/model    the table, its version, the round, the local training settings
 *   POST /federated/join     { publicKey } → { round, client, token }
 *   POST /federated/keys     { round, client, token } → { peers } (202 while registration is open)
 *   POST /federated/submit   { round, client, token, masked } → 202
 *   POST /federated/unmask   { round, client, token } → { dropped } (202 while others submit)
 *   POST /federated/reveal   { round, client, token, seeds: [{ peer, seed }] } → 202
 *   GET  /federated/status   round, phase, version, closed rounds, ε spent (no client data)
 *
 * Only a masked update ever reaches `submit`: the body must be exactly the
 * round's length in uint32 words, and bodies are capped to that size.
 * @module
 */
import type { RequestLike } from '../core/context.js';
import type { EngineRoute } from '../core/engine-api.js';
import { jsonReply, type Reply } from '../core/http/reply.js';
import { fromBase64Url, toBase64Url } from '../core/identity/base64url.js';
import { type FederatedCoordinator, FederatedError } from './coordinator.js';

interface Member {
  round: number;
  client: number;
  token: string;
}

function bytes(v: unknown, what: string): Uint8Array {
  const b = typeof v === 'string' ? fromBase64Url(v) : undefined;
  if (!b) throw new FederatedError(400, `${what} must be base64url`);
  return b;
}

function member(body: Record<string, unknown>): Member {
  const { round, client, token } = body;
  if (!Number.isInteger(round) || !Number.isInteger(client) || typeof token !== 'string')
    throw new FederatedError(400, 'round, client and token are required');
  return { round: round as number, client: client as number, token };
}

async function readJson(req: RequestLike, maxBytes: number): Promise<Record<string, unknown>> {
  if (req.method !== 'POST') throw new FederatedError(405, 'use POST');
  if (Number(req.headers.get('content-length') ?? '0') > maxBytes)
    throw new FederatedError(413, `body is larger than ${maxBytes} bytes`);
  const text = await req.text();
  if (text.length > maxBytes) throw new FederatedError(413, `body is larger than ${maxBytes} bytes`);
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new FederatedError(400, 'body must be a JSON object');
}

/** Little-endian bytes of a typed array (every browser and Node on x86/ARM is little-endian). */
const le = (a: Float32Array | Uint32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function federatedRoute(c: FederatedCoordinator): EngineRoute {
  // base64 of the update plus the JSON around it.
  const maxBytes = Math.ceil((c.length * 4 * 4) / 3) + 4096;
  const handle = async (req: RequestLike, path: string): Promise<Reply> => {
    await c.tick();
    switch (path) {
      case '/federated/model':
        return jsonReply(200, {
          version: c.version,
          round: c.round,
          phase: c.phase,
          items: c.o.items,
          dim: c.o.dim,
          clip: c.o.clip,
          scale: c.scale,
          local: c.o.local,
          table: toBase64Url(le(c.items)),
        });
      case '/federated/status':
        return jsonReply(200, {
          version: c.version,
          round: c.round,
          phase: c.phase,
          closed: c.history,
          abandoned: c.abandoned,
          epsilon: c.epsilon,
          delta: c.o.delta,
        });
      case '/federated/join': {
        const body = await readJson(req, 1024);
        return jsonReply(200, c.join(bytes(body.publicKey, 'publicKey')));
      }
      case '/federated/keys': {
        const m = member(await readJson(req, 1024));
        const peers = c.peers(m.round, m.client, m.token);
        if (!peers) return jsonReply(202, { wait: true });
        return jsonReply(200, {
          peers: peers.map((p) => ({ id: p.id, publicKey: toBase64Url(p.publicKey) })),
        });
      }
      case '/federated/submit': {
        const body = await readJson(req, maxBytes);
        const m = member(body);
        const raw = bytes(body.masked, 'masked');
        if (raw.length % 4 !== 0) throw new FederatedError(400, 'masked must be whole uint32 words');
        const words = new Uint32Array(raw.length / 4);
        new Uint8Array(words.buffer).set(raw);
        await c.submit(m.round, m.client, m.token, words);
        return jsonReply(202, { submitted: true });
      }
      case '/federated/unmask': {
        const m = member(await readJson(req, 1024));
        const dropped = c.unmaskRequest(m.round, m.client, m.token);
        return dropped ? jsonReply(200, { dropped }) : jsonReply(202, { wait: true });
      }
      case '/federated/reveal': {
        const body = await readJson(req, 64 * 1024);
        const m = member(body);
        if (!Array.isArray(body.seeds) || body.seeds.length > 1024)
          throw new FederatedError(400, 'seeds must be a list');
        const seeds = (body.seeds as Array<Record<string, unknown>>).map((s) => {
          if (!Number.isInteger(s?.peer)) throw new FederatedError(400, 'each seed needs a peer id');
          return { peer: s.peer as number, seed: bytes(s.seed, 'seed') };
        });
        await c.reveal(m.round, m.client, m.token, seeds);
        return jsonReply(202, { revealed: seeds.length });
      }
      default:
        throw new FederatedError(404, `no federated endpoint ${path}`);
    }
  };
  return {
    prefix: '/federated/',
    async handle(req, _ctx, path) {
      try {
        return await handle(req, path);
      } catch (e) {
        if (e instanceof FederatedError) return jsonReply(e.status, { error: e.message, status: e.status });
        throw e;
      }
    },
  };
}
