/**
 * One Redis connection as the Redis drivers (profile store, Streams event log,
 * pub/sub bus) use it: opened lazily with ioredis (or injected), watched for
 * its state, and wrapped so that every failure is a `[tessera] [redis]` error.
 *
 * Reconnects: ioredis reconnects by itself, forever, every 100 ms growing to
 * 2 s, until `close()`. Meanwhile commands are not queued
 * (`enableOfflineQueue: false`, `maxRetriesPerRequest: 0`): they reject at once
 * with a `DependencyDownError`, and a command that gets no answer within
 * `commandTimeoutMs` rejects too, so a caller never hangs on a dead server.
 * @module
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../core/errors.js';
import { type ConnectionState, DependencyDownError, describeConnectError, StatusTracker } from './status.js';

/** What a client command takes. */
export type RedisArg = string | number | Buffer;
/** What the drivers pass: bytes as any Uint8Array (converted to Buffer on the way out). */
export type RedisInput = string | number | Uint8Array;

/**
 * All the drivers need of a client (ioredis `Redis` fits): a generic command
 * call, events, and a way to close. Structural, so the core never imports ioredis.
 */
export interface RedisLike {
  readonly status: string;
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  callBuffer(command: string, ...args: RedisArg[]): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

export interface RedisConnectionOptions {
  /** `redis://host:port/db` (default `redis://127.0.0.1:6379`). */
  url?: string;
  /** A client to use instead of opening one; `close()` leaves it open. */
  client?: RedisLike;
  /** Reject a command that got no answer after this long (default 2000 ms). */
  commandTimeoutMs?: number;
  /** How long an operation waits for the first connection attempt (default 1000 ms). */
  connectTimeoutMs?: number;
}

export interface RedisConnection extends ConnectionState {
  readonly address: string;
  /** The client itself, for what `run` does not cover (pub/sub events). */
  readonly client: RedisLike;
  /** Runs `fn` on the client once connected; any failure becomes a `[tessera] [redis] <op>` error. */
  run<T>(op: string, fn: (client: RedisLike) => Promise<T>): Promise<T>;
  /** Arguments as ioredis must get them (Uint8Array → Buffer). */
  wire(args: RedisInput[]): RedisArg[];
  /** A Lua script by EVALSHA, loading it with EVAL when the server does not know it yet. */
  script(op: string, lua: string, keys: RedisInput[], args: RedisInput[], binary?: boolean): Promise<unknown>;
  /** Another connection to the same server with the same options (pub/sub needs its own). */
  duplicate(): Promise<RedisConnection>;
  close(): Promise<void>;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

export function redisError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [redis] ${message}`, { cause });
}

function addressOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return url;
  }
}

async function loadClient(url: string, opts: RedisConnectionOptions): Promise<RedisLike> {
  let Redis: typeof import('ioredis').Redis;
  try {
    ({ Redis } = await import('ioredis'));
  } catch (e) {
    throw redisError('cannot load ioredis (is it installed?)', e);
  }
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    connectTimeout: opts.connectTimeoutMs ?? 1000,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  }) as unknown as RedisLike;
}

/**
 * Opens (or adopts) a connection. Never rejects because the server is down:
 * the driver starts in `connecting` and its operations report the outage.
 * `adopt` makes an injected client ours to connect and close (a duplicate).
 */
export async function openRedis(opts: RedisConnectionOptions = {}, adopt = false): Promise<RedisConnection> {
  const url = opts.url ?? DEFAULT_URL;
  const owned = opts.client === undefined || adopt;
  const client = opts.client ?? (await loadClient(url, opts));
  const address = opts.client === undefined ? addressOf(url) : 'injected client';
  const waitMs = opts.connectTimeoutMs ?? 1000;
  const tracker = new StatusTracker(client.status === 'ready' ? 'ready' : 'connecting');
  let lastError: unknown;
  let closed = false;

  const onReady = () => {
    lastError = undefined;
    tracker.set('ready');
  };
  const onError = (e: unknown) => {
    lastError = e;
    if (client.status !== 'ready') tracker.set('down');
  };
  // A dropped connection: we do not know yet whether the server is gone.
  const onClose = () => tracker.set(closed ? 'down' : lastError ? 'down' : 'connecting');
  client.on('ready', onReady);
  client.on('error', onError);
  client.on('close', onClose);
  // The first attempt runs in the background; ioredis retries on its own after it.
  if (owned && client.status === 'wait') client.connect().catch(() => undefined);

  const downError = () =>
    closed
      ? redisError('connection closed')
      : new DependencyDownError(
          'redis',
          address,
          lastError ? describeConnectError(lastError) : 'not connected',
          lastError,
        );

  const translate = (op: string, e: unknown): TesseraError => {
    if (e instanceof TesseraError) return e;
    const message = e instanceof Error ? e.message : String(e);
    if (/timed out/i.test(message)) return new DependencyDownError('redis', address, `${op} timed out`, e);
    if (client.status !== 'ready' || /Connection is closed|writeable|max retries/i.test(message)) {
      return new DependencyDownError('redis', address, `${op}: connection lost`, e);
    }
    return redisError(`${op}: ${message}`, e);
  };

  const run = async <T>(op: string, fn: (c: RedisLike) => Promise<T>): Promise<T> => {
    if (!closed && tracker.status() === 'connecting') await tracker.settled(waitMs);
    if (closed || client.status !== 'ready') throw downError();
    try {
      return await fn(client);
    } catch (e) {
      throw translate(op, e);
    }
  };

  /** ioredis sends only Buffers as bytes: a plain Uint8Array would go out as "1,2,3". */
  const wire = (args: RedisInput[]): RedisArg[] =>
    args.map((a) =>
      a instanceof Uint8Array && !Buffer.isBuffer(a) ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : a,
    );

  const shas = new Map<string, string>();
  const script = (op: string, lua: string, keys: RedisInput[], args: RedisInput[], binary = false) =>
    run(op, async (c) => {
      let sha = shas.get(lua);
      if (sha === undefined) {
        sha = createHash('sha1').update(lua).digest('hex');
        shas.set(lua, sha);
      }
      const call = (binary ? c.callBuffer : c.call).bind(c);
      try {
        return await call('EVALSHA', sha, keys.length, ...wire(keys), ...wire(args));
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
        return await call('EVAL', lua, keys.length, ...wire(keys), ...wire(args));
      }
    });

  // Bounded: a server that is down makes this `down` after one attempt, never an exception.
  await tracker.settled(waitMs);
  return {
    address,
    client,
    wire,
    status: () => tracker.status(),
    onStatus: (listener) => tracker.onStatus(listener),
    run,
    script,
    duplicate: () =>
      opts.client === undefined
        ? openRedis({ ...opts, url })
        : openRedis({ ...opts, client: cloneInjected(client) }, true),
    async close() {
      if (closed) return;
      closed = true;
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('close', onClose);
      tracker.set('down');
      if (!owned) return;
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** ioredis clients can copy themselves; other injected clients cannot, and say so. */
function cloneInjected(client: RedisLike): RedisLike {
  const dup = (client as { duplicate?: () => RedisLike }).duplicate;
  if (typeof dup !== 'function')
    throw redisError('the injected client has no duplicate() for a second connection');
  return dup.call(client);
}
