/**
 * One NATS connection as the NATS drivers (bus, JetStream event log) use it.
 *
 * The factory never fails because the server is down: the first connection
 * is made in the background and retried every `retryMs` until it succeeds.
 * Once connected, the NATS client reconnects by itself, forever, until
 * `close()`. While not connected, `get()` rejects at once with a
 * `DependencyDownError` such as `[tessera] [nats] connection refused
 * (127.0.0.1:4222)`, instead of letting the client buffer (it would hold
 * publishes in memory and JetStream calls would wait for their timeout).
 * @module
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { TesseraError } from '../core/errors.js';
import { type ConnectionState, DependencyDownError, describeConnectError, StatusTracker } from './status.js';

export interface NatsConnectionOptions {
  /** `host:port` or `nats://host:port`, or several (default `127.0.0.1:4222`). */
  servers?: string | string[];
  /** A connection to use instead of opening one; `close()` leaves it open. */
  connection?: NatsConnection;
  /** Timeout of one connection attempt, and of the first wait of an operation (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Pause between first-connection attempts while the server is down (default 1000 ms). */
  retryMs?: number;
  /** Client name shown by the server's monitoring. */
  name?: string;
}

export interface NatsHandle extends ConnectionState {
  readonly address: string;
  /** The connection, once up; otherwise a `DependencyDownError` at once. */
  get(op: string): Promise<NatsConnection>;
  /** Resolves once the first connection attempt succeeded or failed (bounded by the connect timeout). */
  settled(): Promise<void>;
  /** Any failure of `op` as a `[tessera] [nats]` error: a `DependencyDownError` when the link is the cause. */
  failure(op: string, e: unknown): TesseraError;
  close(): Promise<void>;
}

export function natsError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [nats] ${message}`, { cause });
}

export function openNats(opts: NatsConnectionOptions = {}): NatsHandle {
  const servers = opts.servers ?? '127.0.0.1:4222';
  const list = Array.isArray(servers) ? servers : [servers];
  const address = opts.connection
    ? 'injected connection'
    : list.map((s) => s.replace(/^nats:\/\//, '')).join(',');
  const waitMs = opts.connectTimeoutMs ?? 1000;
  const tracker = new StatusTracker(opts.connection ? 'ready' : 'connecting');
  let nc: NatsConnection | undefined = opts.connection;
  let lastError: unknown;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const watch = async (conn: NatsConnection) => {
    for await (const s of conn.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') tracker.set('down');
      else if (s.type === 'reconnect') tracker.set('ready');
      else if (s.type === 'error') lastError = s.error;
    }
  };

  const attempt = async () => {
    try {
      const { connect } = await import('@nats-io/transport-node');
      const conn = await connect({
        servers: list,
        timeout: waitMs,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ...(opts.name !== undefined && { name: opts.name }),
      });
      if (closed) {
        await conn.close();
        return;
      }
      nc = conn;
      lastError = undefined;
      tracker.set('ready');
      void watch(conn).catch(() => undefined);
      void conn.closed().then(() => tracker.set('down'));
    } catch (e) {
      lastError = e;
      tracker.set('down');
      if (!closed) retryTimer = setTimeout(attempt, opts.retryMs ?? 1000);
    }
  };
  if (!nc) void attempt();
  else void watch(nc).catch(() => undefined);

  return {
    address,
    status: () => tracker.status(),
    onStatus: (listener) => tracker.onStatus(listener),
    async get(op) {
      if (!closed && tracker.status() === 'connecting') await tracker.settled(waitMs);
      if (closed) throw natsError(`${op}: connection closed`);
      if (nc === undefined || tracker.status() !== 'ready' || nc.isClosed()) {
        const what = lastError ? describeConnectError(lastError) : 'not connected';
        throw new DependencyDownError('nats', address, what, lastError);
      }
      return nc;
    },
    settled: () => tracker.settled(waitMs),
    failure(op, e) {
      if (e instanceof TesseraError) return e;
      const message = e instanceof Error ? e.message : String(e);
      if (tracker.status() !== 'ready' || /closed|disconnect/i.test(message)) {
        return new DependencyDownError('nats', address, `${op}: connection lost`, e);
      }
      if (/timeout|timed out/i.test(message))
        return new DependencyDownError('nats', address, `${op} timed out`, e);
      // Right after a restart the server answers before JetStream is back
      // ("jetstream is not enabled", "no responders"): down for now, not broken.
      if (/jetstream is not enabled|no responders|503/i.test(message))
        return new DependencyDownError('nats', address, `${op}: JetStream not available yet`, e);
      return natsError(`${op}: ${message}`, e);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      tracker.set('down');
      if (nc && !opts.connection) await nc.close().catch(() => undefined);
    },
  };
}
