/**
 * The event log on a Redis Stream: at-least-once, deduplicated by
 * (visitor, event id), readable with a numeric cursor, erasable per visitor.
 *
 * Keys (under `prefix`): `ev` is the stream; `ev:v:<visitor>` is a hash from
 * event id to stream entry id. That hash is both the dedupe set (it never
 * expires, so dedupe holds for the life of the log) and the index that
 * `deleteVisitor` uses to XDEL exactly that visitor's entries.
 *
 * Entry ids are `0-<n>` (XADD `0-*`): Redis numbers them 1, 2, 3, ... and
 * never reuses a number, even after deletions, so `<n>` is the cursor as is.
 * One Lua script appends a batch: check, XADD and index happen atomically, so
 * two nodes appending the same event race safely and one of them wins.
 * @module
 */

import {
  openRedis,
  type RedisConnection,
  type RedisConnectionOptions,
  redisError,
} from '../connections/redis.js';
import type { ConnectionState } from '../connections/status.js';
import type { EventLog } from '../core/ports.js';
import type { LoggedEvent } from '../core/types.js';

export interface RedisStreamsLogOptions extends RedisConnectionOptions {
  /** Prefix of every key, one per deployment (default `tessera:`). */
  prefix?: string;
}

export type RedisStreamsLog = EventLog & ConnectionState;

const APPEND = `
local n = #KEYS - 1
local out = {}
for i = 1, n do
  if redis.call('HEXISTS', KEYS[i + 1], ARGV[i]) == 0 then
    local id = redis.call('XADD', KEYS[1], '0-*', 'e', ARGV[n + i])
    redis.call('HSET', KEYS[i + 1], ARGV[i], id)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`;

const DELETE_VISITOR = `
local ids = redis.call('HVALS', KEYS[2])
local n = 0
for i = 1, #ids, 500 do
  n = n + redis.call('XDEL', KEYS[1], unpack(ids, i, math.min(i + 499, #ids)))
end
redis.call('DEL', KEYS[2])
return n
`;

/** Events per script call: keeps each call short, so Redis stays responsive. */
const CHUNK = 500;

export async function createRedisStreamsLog(opts: RedisStreamsLogOptions = {}): Promise<RedisStreamsLog> {
  const conn = await openRedis(opts);
  return redisStreamsLog(conn, opts, () => conn.close());
}

const cursorOf = (entryId: string): number => Number(entryId.slice(entryId.indexOf('-') + 1));

function parse(fields: unknown): LoggedEvent {
  const list = fields as string[];
  const json = list[list.indexOf('e') + 1];
  if (typeof json !== 'string') throw redisError('read: stream entry without an event');
  return JSON.parse(json) as LoggedEvent;
}

/** The log on an open connection; `release` runs on `close()`. */
export function redisStreamsLog(
  conn: RedisConnection,
  opts: Pick<RedisStreamsLogOptions, 'prefix'>,
  release: () => Promise<void>,
): RedisStreamsLog {
  const prefix = opts.prefix ?? 'tessera:';
  const stream = `${prefix}ev`;
  const visitorKey = (visitor: string) => `${prefix}ev:v:${visitor}`;
  let closed = false;
  const run: RedisConnection['run'] = (op, fn) =>
    closed ? Promise.reject(redisError(`${op}: the event log is closed`)) : conn.run(op, fn);

  return {
    name: 'redis-streams',
    status: () => (closed ? 'down' : conn.status()),
    onStatus: (listener) => conn.onStatus(listener),
    async append(events) {
      const added: LoggedEvent[] = [];
      for (let start = 0; start < events.length; start += CHUNK) {
        const chunk = events.slice(start, start + CHUNK);
        const keys = [stream, ...chunk.map((e) => visitorKey(e.visitor))];
        const args = [...chunk.map((e) => e.id), ...chunk.map((e) => JSON.stringify(e))];
        if (closed) throw redisError('append: the event log is closed');
        const flags = (await conn.script('append', APPEND, keys, args)) as number[];
        chunk.forEach((e, i) => {
          if (flags[i] === 1) added.push(e);
        });
      }
      return added;
    },
    async read(after, limit) {
      if (limit <= 0) return { events: [], cursor: after };
      const rows = (await run('read', (c) =>
        c.call('XRANGE', stream, `(0-${Math.max(0, Math.floor(after))}`, '+', 'COUNT', Math.floor(limit)),
      )) as [string, unknown][];
      const last = rows[rows.length - 1];
      return { events: rows.map(([, fields]) => parse(fields)), cursor: last ? cursorOf(last[0]) : after };
    },
    async deleteVisitor(visitor) {
      if (closed) throw redisError('deleteVisitor: the event log is closed');
      return (await conn.script(
        'deleteVisitor',
        DELETE_VISITOR,
        [stream, visitorKey(visitor)],
        [],
      )) as number;
    },
    async count() {
      return (await run('count', (c) => c.call('XLEN', stream))) as number;
    },
    async close() {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}
