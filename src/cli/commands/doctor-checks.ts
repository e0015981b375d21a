/**
 * What `tessera doctor` checks, one function per check, each returning a
 * verdict and, when something is wrong, how to fix it. Checks only read:
 * none creates the data directory, a secret or a database, and the
 * directory modes are checked before a store is opened (opening one
 * tightens its files, which would hide the problem).
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyRing, type KeyRingInput } from '../../core/identity/index.js';
import type { EventLog } from '../../core/ports.js';
import { readArtifact } from '../../core/recommend/index.js';
import { type OpenedStores, openBus, openLog, openStore, parseDriverUrl } from '../../registry.js';
import type { NodeConfig } from '../../runtimes/node/config.js';
import { nodeKeyRing } from '../../runtimes/node/key-ring-config.js';

export type Level = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  check: string;
  level: Level;
  message: string;
  /** What to do about it (warn and fail). */
  fix?: string;
}

const ok = (check: string, message: string): CheckResult => ({ check, level: 'ok', message });
const warn = (check: string, message: string, fix: string): CheckResult => ({
  check,
  level: 'warn',
  message,
  fix,
});
const fail = (check: string, message: string, fix: string): CheckResult => ({
  check,
  level: 'fail',
  message,
  fix,
});

/** How long one check may take before it counts as unreachable. */
export const CHECK_TIMEOUT_MS = 5000;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const randomId = () => `doctor-${crypto.randomUUID()}`;

/** The data directory owner-only (0700) and its files 0600, as `serve` leaves them. */
export function checkDataDir(c: NodeConfig): CheckResult {
  const name = 'data dir';
  const dir = c.dataDir;
  if (!existsSync(dir))
    return warn(name, `${dir} does not exist yet`, 'serve creates it (mode 0700) on first start');
  const loose: string[] = [];
  if ((statSync(dir).mode & 0o077) !== 0) loose.push(`${dir} (${modeOf(dir)})`);
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    const st = statSync(path);
    if (st.isFile() && (st.mode & 0o077) !== 0) loose.push(`${path} (${modeOf(path)})`);
  }
  if (loose.length === 0) return ok(name, `${dir} is owner-only`);
  return fail(
    name,
    `readable by others: ${loose.join(', ')}`,
    `chmod 700 ${dir} && chmod 600 ${dir}/*   (serve also fixes them at start)`,
  );
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
}

/** Secrets long enough, the current key and the pseudonym key in the ring. */
export function checkKeyRing(c: NodeConfig): CheckResult {
  const name = 'key ring';
  let ring: KeyRingInput;
  try {
    ring = nodeKeyRing(c, c.dataDir, false);
  } catch (e) {
    if (/no secret/.test(messageOf(e)))
      return warn(
        name,
        'no secret configured: serve will create one in the data dir',
        'nodes of one deployment must share it: set TESSERA_SECRET (or TESSERA_KEYS) to `openssl rand -base64 32` on every node',
      );
    return fail(name, messageOf(e), 'fix TESSERA_KEYS / --keys (KID:SECRET,...) and TESSERA_KEY_CURRENT');
  }
  const short = Object.entries(ring.secrets).filter(([, s]) => s.length < 32);
  if (short.length > 0)
    return fail(
      name,
      short.map(([kid, s]) => `secret "${kid}" is ${s.length} characters (at least 32 needed)`).join('; '),
      'set TESSERA_SECRET (or the key in TESSERA_KEYS) to `openssl rand -base64 32`',
    );
  try {
    createKeyRing(ring);
  } catch (e) {
    return fail(name, messageOf(e), 'list the current key in TESSERA_KEYS');
  }
  const kids = Object.keys(ring.secrets);
  const pseudonymKid = kids[0]!;
  return ok(
    name,
    `${kids.length} key(s), current "${ring.current}"; user-id pseudonyms keyed by "${pseudonymKid}" (keep it listed first: dropping it changes every pseudonym)`,
  );
}

/** Whether the sqlite store has its file (doctor never creates one). */
function sqliteMissing(c: NodeConfig): string | undefined {
  const url = parseDriverUrl(c.store);
  if (url?.scheme !== 'sqlite:') return undefined;
  const path = url.path || join(c.dataDir, 'tessera.db');
  return existsSync(path) ? undefined : path;
}

export interface OpenedForDoctor {
  stores?: OpenedStores;
  results: CheckResult[];
}

/** The store answers a read; then its model store (a model that loads) and the event log. */
export async function checkStores(c: NodeConfig): Promise<OpenedForDoctor> {
  const missing = sqliteMissing(c);
  if (missing)
    return {
      results: [
        warn('store', `${missing} does not exist yet`, 'serve creates it on first start'),
        warn('model', 'no store yet, so no model', 'start the node, or run `tessera train`'),
      ],
    };
  const ctx = { dataDir: c.dataDir, prefix: c.prefix, nodeId: `${c.nodeId}-doctor` };
  let stores: OpenedStores | undefined;
  try {
    stores = await withTimeout(openStore(c.store, ctx), CHECK_TIMEOUT_MS, 'the store');
    await withTimeout(stores.profiles.get(randomId()), CHECK_TIMEOUT_MS, 'the store');
  } catch (e) {
    await stores?.close().catch(() => undefined);
    return {
      results: [fail('store', `${c.store}: ${messageOf(e)}`, reachFix(c.store, '--store / TESSERA_STORE'))],
    };
  }
  const results = [ok('store', `${c.store} (${stores.profiles.name}) answers reads`)];
  results.push(await checkModel(stores));
  if (!c.log) results.push(await logResult(c.store, stores.events));
  return { stores, results };
}

async function checkModel(stores: OpenedStores): Promise<CheckResult> {
  const name = 'model';
  let bytes: ArrayBuffer | undefined;
  try {
    bytes = await withTimeout(stores.models.get(), CHECK_TIMEOUT_MS, 'the model store');
  } catch (e) {
    return fail(name, `${stores.models.name}: ${messageOf(e)}`, 'check the model file or store');
  }
  if (!bytes)
    return warn(
      name,
      `none in ${stores.modelPaths?.[0] ?? stores.models.name}: pages show default content`,
      'run `tessera train` (or let serve retrain)',
    );
  try {
    const a = readArtifact(bytes);
    return ok(name, `${a.version}: ${a.itemCount} items (${bytes.byteLength} bytes)`);
  } catch (e) {
    return fail(name, messageOf(e), 'retrain: `tessera train` writes a model this version reads');
  }
}

async function logResult(url: string, log: EventLog): Promise<CheckResult> {
  try {
    const n = await withTimeout(log.count(), CHECK_TIMEOUT_MS, 'the event log');
    return ok('log', `${url} (${n} events)`);
  } catch (e) {
    return fail('log', `${url}: ${messageOf(e)}`, reachFix(url, '--log / TESSERA_LOG'));
  }
}

/** An event log of its own (`--log`). */
export async function checkLog(c: NodeConfig): Promise<CheckResult | undefined> {
  if (!c.log) return undefined;
  let log: EventLog | undefined;
  try {
    log = await withTimeout(
      openLog(c.log, { dataDir: c.dataDir, prefix: c.prefix, nodeId: `${c.nodeId}-doctor` }),
      CHECK_TIMEOUT_MS,
      'the event log',
    );
    return await logResult(c.log, log);
  } catch (e) {
    return fail('log', `${c.log}: ${messageOf(e)}`, reachFix(c.log, '--log / TESSERA_LOG'));
  } finally {
    await log?.close().catch(() => undefined);
  }
}

/** A message published on the bus comes back to a subscriber. */
export async function checkBus(c: NodeConfig): Promise<CheckResult> {
  if (!c.bus) return ok('bus', 'none: a single node');
  const ctx = { dataDir: c.dataDir, prefix: c.prefix, nodeId: `${c.nodeId}-doctor` };
  const bus = await openBus(c.bus, ctx).catch((e: unknown) => e as Error);
  if (bus instanceof Error)
    return fail('bus', `${c.bus}: ${bus.message}`, reachFix(c.bus, '--bus / TESSERA_BUS'));
  try {
    const topic = randomId();
    const sent = crypto.getRandomValues(new Uint8Array(16));
    let unsubscribe: (() => void) | undefined;
    const heard = new Promise<void>((resolve, reject) => {
      bus
        .subscribe(topic, (payload) => {
          if (payload.length === sent.length && payload.every((b, i) => b === sent[i])) resolve();
        })
        .then((u) => {
          unsubscribe = u;
          return bus.publish(topic, sent);
        })
        .catch(reject);
    });
    const t0 = performance.now();
    await withTimeout(heard, CHECK_TIMEOUT_MS, 'the bus round trip');
    unsubscribe?.();
    return ok('bus', `${c.bus} (${bus.name}): round trip in ${Math.round(performance.now() - t0)} ms`);
  } catch (e) {
    return fail('bus', `${c.bus}: ${messageOf(e)}`, reachFix(c.bus, '--bus / TESSERA_BUS'));
  } finally {
    await bus.close().catch(() => undefined);
  }
}

function reachFix(url: string, setting: string): string {
  const u = parseDriverUrl(url);
  if (u?.scheme === 'redis://') return `start Redis at ${url} or point ${setting} at a reachable one`;
  if (u?.scheme === 'nats://')
    return `start NATS (with JetStream: nats-server -js) at ${url} or fix ${setting}`;
  return `check ${setting}`;
}
