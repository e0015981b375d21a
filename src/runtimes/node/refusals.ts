/**
 * How the Node server answers requests the engine refused (429, 413): the
 * two things only the runtime can do, since only it sees connections.
 *
 * - A connection that keeps posting after a 429 told it when to come back
 *   (`Retry-After`), again and again, is not a browser: the collector waits
 *   as told (src/browser/retry.ts). Its next refusals are held back until
 *   that time has passed (1 s at most) before they are written. A
 *   client that waits for answers, as HTTP/1.1 clients do, then sends one
 *   batch a second per connection instead of thousands, and the event loop
 *   stays free for the pages. Answering early would only invite the next
 *   request: the cost of a flood is per request, however cheap each one is.
 *   A well-behaved client never meets the hold; a browser whose tabs share a
 *   connection would have to ignore four `Retry-After`s in a row first.
 * - A refused request whose body is large (over 1 MiB, or of unknown length)
 *   and still unread is answered with `Connection: close`: Node would
 *   otherwise read the whole body, to throw it away, before the connection
 *   could carry the next request.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Reply } from '../../core/http/reply.js';

export interface RefusalOptions {
  /** Longest hold of a refusal (ms, default 1000); 0 writes every refusal at once. */
  maxHoldMs?: number;
  /** Refusals ignored in a row before the next ones are held (default 4). */
  strikes?: number;
  /** Most refusals held at once (default 10,000); beyond, they are written at once. */
  maxHeld?: number;
}

/**
 * Above this, the unread body of a refused request is not worth reading: the
 * connection closes. Below it, Node reads and drops the body and the
 * connection carries on (as nginx discards the body of a request it refused):
 * on loopback, dropping 70 KB cost the server less than the client's
 * reconnection did (the flood bench went from ~55 to ~100 µs of server CPU
 * per junk request when refusals over 16 KiB closed their connection).
 */
export const UNREAD_BODY_CLOSE_BYTES = 1024 * 1024;

interface ConnectionRecord {
  /** When this connection was told it may send again (ms). */
  retryAt: number;
  /** Refusals in a row that arrived before `retryAt`. */
  strikes: number;
}

export interface Refusals {
  /** How long to hold this reply before writing it (ms; 0: now). */
  holdMs(socket: Socket, reply: Reply, now: number): number;
  /** Counts a held reply until it is written; call the returned function then. */
  hold(): () => void;
  /** Whether a refused request's unread body is better left unread (close the connection). */
  closeInstead(req: IncomingMessage, reply: Reply, bodyRead: boolean): boolean;
  readonly held: number;
}

export function createRefusals(opts: RefusalOptions = {}): Refusals {
  const maxHoldMs = opts.maxHoldMs ?? 1000;
  const strikes = opts.strikes ?? 4;
  const maxHeld = opts.maxHeld ?? 10_000;
  // Per connection, forgotten with it.
  const connections = new WeakMap<Socket, ConnectionRecord>();
  let held = 0;
  return {
    holdMs(socket, reply, now) {
      if (reply.status !== 429 || maxHoldMs <= 0) return 0;
      const seconds = Number(reply.headers['retry-after'] ?? '1');
      const retryAfterMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000;
      const c = connections.get(socket);
      if (c === undefined) {
        connections.set(socket, { retryAt: now + retryAfterMs, strikes: 0 });
        return 0;
      }
      c.strikes = now < c.retryAt ? c.strikes + 1 : 0;
      let wait = Math.min(maxHoldMs, c.retryAt - now);
      if (c.strikes < strikes || held >= maxHeld || wait <= 0) wait = 0;
      // The client hears the refusal once it is written: its Retry-After counts from then.
      c.retryAt = now + wait + retryAfterMs;
      return wait;
    },
    hold() {
      held++;
      let done = false;
      return () => {
        if (!done) held--;
        done = true;
      };
    },
    closeInstead(req, reply, bodyRead) {
      if (bodyRead || (reply.status !== 429 && reply.status !== 413)) return false;
      if (req.readableEnded) return false;
      const declared = Number(req.headers['content-length'] ?? '0');
      return declared > UNREAD_BODY_CLOSE_BYTES || req.headers['transfer-encoding'] !== undefined;
    },
    get held() {
      return held;
    },
  };
}
