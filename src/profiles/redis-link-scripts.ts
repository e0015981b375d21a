/**
 * The identity-link scripts of the Redis profile stores (over TCP and over
 * REST): `KEYS[1]` is the `links` hash (alias → canonical id), `ARGV[1]` the
 * prefix of the alias sets (`a:<id>` → the aliases of canonical `<id>`).
 * @module
 */

/** Links alias `ARGV[2]` to canonical `ARGV[3]`; an alias points at one canonical id, so moving it leaves the old set too. */
export const LINK_SCRIPT = `
local old = redis.call('HGET', KEYS[1], ARGV[2])
if old then redis.call('SREM', ARGV[1] .. old, ARGV[2]) end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('SADD', ARGV[1] .. ARGV[3], ARGV[2])
return 1
`;

/** Unlinks `ARGV[2]`: as an alias from its canonical id, and as a canonical id from all its aliases. */
export const UNLINK_SCRIPT = `
local old = redis.call('HGET', KEYS[1], ARGV[2])
if old then
  redis.call('SREM', ARGV[1] .. old, ARGV[2])
  redis.call('HDEL', KEYS[1], ARGV[2])
end
for _, alias in ipairs(redis.call('SMEMBERS', ARGV[1] .. ARGV[2])) do
  redis.call('HDEL', KEYS[1], alias)
end
redis.call('DEL', ARGV[1] .. ARGV[2])
return 1
`;
