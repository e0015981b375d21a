/**
 * The ledger in Redis, shared by every node on the same server:
 *
 * - `<prefix>ledger:marks:<experiment>`: hash, `visitor␁mark` → the
 *   exposure's `arm␁segment` (or `1`): what was counted already;
 * - `<prefix>ledger:counts`: hash, `counter key␂node` → that node's
 *   component of the counter;
 * - `<prefix>ledger:status`: hash, experiment → its status register (JSON).
 *
 * `count()` is one Lua script: for each hit it sets the mark if absent
 * (HSETNX) and only then raises the node's own component, so marks and
 * counts never disagree, whatever node or retry runs it. Other nodes'
 * components are only ever raised to a larger value (`merge`), statuses
 * only replaced by a later register: both are scripts too.
 * @module
 */
import { openRedis, type RedisConnection, type RedisConnectionOptions } from '../connections/redis.js';
import {
  counterAt,
  emptyLedger,
  type LedgerState,
  parseCounterKey,
} from '../core/experiments/ledger-state.js';
import type { CountedHit, LedgerStore } from '../core/experiments/ledger-store.js';

export interface RedisLedgerOptions extends RedisConnectionOptions {
  /** Key prefix (default `tessera:`). */
  prefix?: string;
}

const COUNT = `
local counts = KEYS[1]
local marksPrefix = ARGV[1]
local node = ARGV[2]
local hits = cjson.decode(ARGV[3])
local SEP = string.char(1)
local out = {}
for i, h in ipairs(hits) do
  local marks = marksPrefix .. h.e
  local arm, seg = h.a, h.s
  local ok = true
  if h.c ~= 'exposed' then
    local x = redis.call('HGET', marks, h.v .. SEP .. 'x')
    if x then
      local at = string.find(x, SEP, 1, true)
      arm = string.sub(x, 1, at - 1)
      seg = string.sub(x, at + 1)
    else
      ok = false
    end
  end
  if ok and type(arm) == 'string' and type(seg) == 'string' then
    local field = h.e .. SEP .. arm .. SEP .. seg .. SEP .. h.c .. string.char(2) .. node
    local cur = tonumber(redis.call('HGET', counts, field) or '0')
    if cur + tonumber(h.n) < math.huge then
      local mv = '1'
      if h.c == 'exposed' then mv = arm .. SEP .. seg end
      if redis.call('HSETNX', marks, h.v .. SEP .. h.m, mv) == 1 then
        local v = redis.call('HINCRBYFLOAT', counts, field, h.n)
        out[#out + 1] = { i - 1, arm, seg, v }
      end
    end
  end
end
if #out == 0 then return '[]' end
return cjson.encode(out)
`;

/** ARGV: field, value, field, value, ...: each raised to the value when larger. */
const RAISE = `
for i = 1, #ARGV, 2 do
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > cur then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`;

/** ARGV: experiment, register (JSON); kept unless the stored register is later (HLC order). */
const PUT_STATUS = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur).at
  local n = cjson.decode(ARGV[2]).at
  if c.p > n.p or (c.p == n.p and (c.l > n.l or (c.l == n.l and c.n >= n.n))) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

const NODE_SEP = '\u0002';
/** Between the visitor and the mark in a marks hash field (the Lua scripts' SEP). */
const SEP = '\u0001';

export async function createRedisLedgerStore(o: RedisLedgerOptions = {}): Promise<LedgerStore> {
  const conn: RedisConnection = await openRedis(o);
  const prefix = o.prefix ?? 'tessera:';
  const countsKey = `${prefix}ledger:counts`;
  const statusKey = `${prefix}ledger:status`;
  const marksPrefix = `${prefix}ledger:marks:`;

  const raise = (state: LedgerState) => {
    const args: string[] = [];
    for (const [key, c] of Object.entries(state.counters)) {
      if (!parseCounterKey(key)) continue;
      for (const [node, v] of Object.entries(c))
        if (Number.isFinite(v) && v > 0) args.push(`${key}${NODE_SEP}${node}`, String(v));
    }
    return args.length === 0 ? Promise.resolve() : conn.script('ledger merge', RAISE, [countsKey], args);
  };

  const putStatus: LedgerStore['putStatus'] = async (experiment, register) => {
    await conn.script('ledger status', PUT_STATUS, [statusKey], [experiment, JSON.stringify(register)]);
  };

  return {
    name: 'redis',
    async count(node, hits) {
      if (hits.length === 0) return [];
      const wire = hits.map((h) => ({
        e: h.experiment,
        v: h.visitor,
        c: h.counter,
        m: h.mark,
        n: String(h.amount),
        ...(h.arm !== undefined ? { a: h.arm, s: h.segment ?? '*' } : {}),
      }));
      const raw = await conn.script(
        'ledger count',
        COUNT,
        [countsKey],
        [marksPrefix, node, JSON.stringify(wire)],
      );
      const rows = JSON.parse(String(raw)) as Array<[number, string, string, string]>;
      return rows.map(
        ([index, arm, segment, value]): CountedHit => ({ index, arm, segment, value: Number(value) }),
      );
    },
    async load() {
      const state = emptyLedger();
      const counts = (await conn.run('ledger load', (c) => c.call('HGETALL', countsKey))) as string[];
      for (let i = 0; i + 1 < counts.length; i += 2) {
        const field = counts[i]!;
        const at = field.lastIndexOf(NODE_SEP);
        const key = field.slice(0, at);
        const value = Number(counts[i + 1]);
        if (at < 0 || !parseCounterKey(key) || !Number.isFinite(value)) continue;
        counterAt(state, key)[field.slice(at + 1)] = value;
      }
      const status = (await conn.run('ledger load', (c) => c.call('HGETALL', statusKey))) as string[];
      for (let i = 0; i + 1 < status.length; i += 2) state.status[status[i]!] = JSON.parse(status[i + 1]!);
      return state;
    },
    async merge(state) {
      await raise(state);
      for (const [experiment, r] of Object.entries(state.status)) await putStatus(experiment, r);
    },
    putStatus,
    async forget(visitor) {
      // Marks are hash fields `visitor␁mark` in one hash per experiment.
      const match = `${globEscape(visitor)}${SEP}*`;
      await conn.run('ledger forget', async (c) => {
        let cursor = '0';
        do {
          const [next, keys] = (await c.call(
            'SCAN',
            cursor,
            'MATCH',
            `${globEscape(marksPrefix)}*`,
            'COUNT',
            200,
          )) as [string, string[]];
          cursor = next;
          for (const key of keys) {
            let hcursor = '0';
            do {
              const [hnext, flat] = (await c.call('HSCAN', key, hcursor, 'MATCH', match, 'COUNT', 500)) as [
                string,
                string[],
              ];
              hcursor = hnext;
              const fields = flat.filter((_, i) => i % 2 === 0);
              if (fields.length > 0) await c.call('HDEL', key, ...fields);
            } while (hcursor !== '0');
          }
        } while (cursor !== '0');
      });
    },
    close: () => conn.close(),
  };
}

/** A literal for Redis glob patterns (`MATCH`). */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
