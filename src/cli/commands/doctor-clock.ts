/**
 * Clock skew for `tessera doctor`. Nodes have no message that answers a
 * ping with their time, so the node's clock is compared with the shared
 * Redis server's (`TIME`), which every node of a Redis deployment talks to:
 * two nodes each within a few hundred ms of it are within twice that of
 * each other. NATS tells no time; with NATS only, skew is not measured and
 * the check says so.
 * @module
 */
import { openRedis } from '../../connections/redis.js';
import { parseDriverUrl } from '../../registry.js';
import type { NodeConfig } from '../../runtimes/node/config.js';
import { CHECK_TIMEOUT_MS, type CheckResult, withTimeout } from './doctor-checks.js';

/** Beyond this, cookie and HLC times disagree visibly between nodes. */
export const SKEW_WARN_MS = 500;
export const SKEW_FAIL_MS = 5000;

const FIX = 'run NTP on every node (timedatectl set-ntp true, or chrony)';

export async function checkClock(c: NodeConfig, now: () => number = Date.now): Promise<CheckResult> {
  const name = 'clock skew';
  const urls = [c.store, c.log, c.bus].filter((u): u is string => u !== undefined);
  const redis = urls.find((u) => parseDriverUrl(u)?.scheme === 'redis://');
  if (!redis) {
    if (urls.some((u) => parseDriverUrl(u)?.scheme === 'nats://'))
      return {
        check: name,
        level: 'warn',
        message: 'not measured: NATS tells no server time and nodes answer no time ping',
        fix: `keep node clocks in sync: ${FIX}`,
      };
    return { check: name, level: 'ok', message: 'single node: no shared server to compare with' };
  }
  const conn = await openRedis({ url: redis, connectTimeoutMs: 2000 });
  try {
    const t0 = now();
    const time = (await withTimeout(
      conn.run('TIME', (client) => client.call('TIME')),
      CHECK_TIMEOUT_MS,
      'Redis TIME',
    )) as [string, string];
    const t1 = now();
    const server = Number(time[0]) * 1000 + Number(time[1]) / 1000;
    const skew = Math.round(server - (t0 + t1) / 2);
    const message = `${Math.abs(skew)} ms ${skew >= 0 ? 'behind' : 'ahead of'} Redis at ${redis} (round trip ${t1 - t0} ms)`;
    if (Math.abs(skew) >= SKEW_FAIL_MS) return { check: name, level: 'fail', message, fix: FIX };
    if (Math.abs(skew) >= SKEW_WARN_MS) return { check: name, level: 'warn', message, fix: FIX };
    return { check: name, level: 'ok', message };
  } catch (e) {
    return {
      check: name,
      level: 'fail',
      message: `cannot read Redis TIME at ${redis}: ${e instanceof Error ? e.message : String(e)}`,
      fix: `start Redis at ${redis}`,
    };
  } finally {
    await conn.close().catch(() => undefined);
  }
}
