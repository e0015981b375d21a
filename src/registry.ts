/**
 * Drivers chosen by URL scheme, in one table per port (like unstorage's
 * builtin driver map): `memory:`, `sqlite:PATH`, `redis://host:port[/db]`,
 * `nats://host:port`, `file:PATH`, and for a Worker's model registry
 * `cloudflare-kv://ACCOUNT/NAMESPACE` (over Cloudflare's REST API). Each entry loads its driver module with a
 * dynamic `import()` when a URL asks for it, so importing the registry pulls
 * in neither ioredis, nor nats, nor better-sqlite3 (the Worker wires its
 * bindings directly and never imports this file).
 *
 * A runtime asks `openStore`, `openLog`, `openBus` or `openModels` for a URL;
 * config validation asks `driverUrlProblem`. Adding a backend is one entry
 * here, not an `if` in every place that reads a URL.
 * @module
 */
import { TesseraError } from './core/errors.js';
import type { LedgerStore } from './core/experiments/ledger-store.js';
import type { RateLimiter } from './core/limits/index.js';
import type { Bus, EventLog, ModelStore, ProfileStore } from './core/ports.js';
import type { ProfileCodec } from './core/profile/index.js';

export type DriverUrl =
  | { scheme: 'memory:' }
  | { scheme: 'sqlite:'; path: string }
  | { scheme: 'file:'; path: string }
  | { scheme: 'redis://'; url: string }
  | { scheme: 'nats://'; servers: string }
  | { scheme: 'cloudflare-kv://'; account: string; namespace: string };

export type Scheme = DriverUrl['scheme'];

/** The ports a URL can name; `store` opens the profile store with the log and model store beside it. */
export type DriverPort = 'store' | 'log' | 'bus' | 'models';

/** What a driver needs besides its URL. */
export interface DriverContext {
  /** Where file-backed drivers keep their files when the URL names none. */
  dataDir: string;
  /** Namespace of keys, subjects and streams (default `tessera`). */
  prefix?: string | undefined;
  /** This node's id: names its NATS connections. */
  nodeId?: string | undefined;
  /** Profile bytes at rest (default: plain). */
  codec?: ProfileCodec | undefined;
  /** Retention: Redis profiles expire and JetStream drops events older than this (ms; 0 = keep). */
  retentionMs?: number | undefined;
}

/** What a `store` URL opens: profiles, the log beside them and the model store. */
export interface OpenedStores {
  profiles: ProfileStore;
  events: EventLog;
  models: ModelStore;
  /** The model store's files, when it keeps files (the watcher checks them before reading). */
  modelPaths?: string[];
  /** Embedded in this process (memory, SQLite): writes are cheap enough to take behind ingest. */
  local: boolean;
  /** A rate limiter shared by every node on the same backend; absent = per node. */
  rateLimiter?: () => Promise<RateLimiter>;
  /** Experiment counts and statuses, on the same backend as the profiles. */
  ledger: LedgerStore;
  close(): Promise<void>;
}

/** The stores with the ledger beside them; one `close()` closes both (once). */
function withLedger<T extends { close(): Promise<void> }>(
  s: T,
  ledger: LedgerStore,
): T & { ledger: LedgerStore } {
  let closing: Promise<void> | undefined;
  return {
    ...s,
    ledger,
    close: () => {
      closing ??= Promise.all([s.close(), ledger.close()]).then(() => undefined);
      return closing;
    },
  };
}

type Opener<T> = (url: DriverUrl, ctx: DriverContext) => Promise<T>;

/** How each scheme is written, for error messages. */
const FORMS: Record<Scheme, string> = {
  'memory:': 'memory:',
  'sqlite:': 'sqlite:PATH',
  'file:': 'file:PATH',
  'redis://': 'redis://host:port[/db]',
  'nats://': 'nats://host:port',
  'cloudflare-kv://': 'cloudflare-kv://ACCOUNT_ID/NAMESPACE_ID',
};

const prefixOf = (ctx: DriverContext) => ctx.prefix ?? 'tessera';
const join = (dir: string, name: string) => `${dir.replace(/\/+$/, '')}/${name}`;
const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.');
const field = <K extends string>(url: DriverUrl, key: K): string => (url as Record<K, string>)[key];

const MODEL_DRIVERS: Partial<Record<Scheme, Opener<ModelStore>>> = {
  'memory:': async () => (await import('./models/memory.js')).createMemoryModelStore(),
  'file:': async (url) => {
    const path = field(url, 'path');
    const [{ createFileModelStore }, { makePrivate }] = await Promise.all([
      import('./models/file.js'),
      import('./connections/private-files.js'),
    ]);
    // A model file left readable by an older version is tightened.
    makePrivate(path);
    return createFileModelStore({ path });
  },
  'redis://': async (url, ctx) =>
    (await import('./models/redis.js')).createRedisModelStore({
      url: field(url, 'url'),
      prefix: `${prefixOf(ctx)}:`,
    }),
  // A Worker's registry (models/cloudflare.ts keys) moved from outside Cloudflare: the CLI's `--models`.
  'cloudflare-kv://': async (url) => {
    const apiToken = process.env.CLOUDFLARE_API_TOKEN;
    if (!apiToken)
      throw new TesseraError(
        500,
        '[tessera] [config] cloudflare-kv:// needs CLOUDFLARE_API_TOKEN (Workers KV Storage: Edit)',
      );
    const [{ createKvRestNamespace }, { createKvModelStore }] = await Promise.all([
      import('./models/cloudflare-kv-rest.js'),
      import('./models/cloudflare.js'),
    ]);
    const api = process.env.TESSERA_CLOUDFLARE_API;
    return createKvModelStore(
      createKvRestNamespace({
        accountId: field(url, 'account'),
        namespaceId: field(url, 'namespace'),
        apiToken,
        ...(api ? { api } : {}),
      }),
    );
  },
};

async function fileModels(path: string, ctx: DriverContext) {
  const models = await openModels(`file:${path}`, ctx);
  return { models, modelPaths: [path, join(join(dirOf(path), 'models'), 'aliases.json')] };
}

const STORE_DRIVERS: Partial<Record<Scheme, Opener<OpenedStores>>> = {
  'memory:': async (_url, ctx) => {
    const { createMemoryStore } = await import('./profiles/memory.js');
    const s = createMemoryStore(ctx.codec ? { codec: ctx.codec } : {});
    const { createMemoryLedgerStore } = await import('./ledgers/memory.js');
    return withLedger(
      { ...s, models: await openModels('memory:', ctx), local: true },
      createMemoryLedgerStore(),
    );
  },
  'sqlite:': async (url, ctx) => {
    const path = field(url, 'path') || join(ctx.dataDir, 'tessera.db');
    const { createSqliteStore } = await import('./profiles/sqlite.js');
    const s = await createSqliteStore({ path, ...(ctx.codec ? { codec: ctx.codec } : {}) });
    const { createSqliteLedgerStore } = await import('./ledgers/sqlite.js');
    return withLedger(
      { ...s, ...(await fileModels(join(dirOf(path), 'model.tsra'), ctx)), local: true },
      await createSqliteLedgerStore({ path }),
    );
  },
  'redis://': async (url, ctx) => {
    const { createRedisStore } = await import('./profiles/redis.js');
    const ttlSeconds = Math.floor((ctx.retentionMs ?? 0) / 1000);
    const models = await (await import('./models/redis.js')).createRedisModelStore({
      url: field(url, 'url'),
      prefix: `${prefixOf(ctx)}:`,
    });
    const s = await createRedisStore({
      url: field(url, 'url'),
      prefix: `${prefixOf(ctx)}:`,
      ...(ctx.codec ? { codec: ctx.codec } : {}),
      ...(ttlSeconds > 0 ? { ttlSeconds } : {}),
    });
    const { createRedisLedgerStore } = await import('./ledgers/redis.js');
    const ledger = await createRedisLedgerStore({ url: field(url, 'url'), prefix: `${prefixOf(ctx)}:` });
    return withLedger(
      {
        ...s,
        // The registry every node shares: a promotion in one place is seen by all.
        models,
        local: false,
        async close() {
          await models.close();
          await s.close();
        },
        rateLimiter: async () =>
          (await import('./connections/redis-rate-limit.js')).createRedisRateLimiter({
            url: field(url, 'url'),
            prefix: `${prefixOf(ctx)}:`,
          }),
      },
      ledger,
    );
  },
};

const LOG_DRIVERS: Partial<Record<Scheme, Opener<EventLog>>> = {
  'nats://': async (url, ctx) =>
    (await import('./logs/jetstream.js')).createJetStreamLog({
      servers: field(url, 'servers'),
      prefix: prefixOf(ctx),
      name: `tessera-${ctx.nodeId ?? 'node'}`,
      // A short ack wait: an append caught by a server going away is spooled within 1.5 s, not 5 s.
      ackTimeoutMs: 1500,
      ...(ctx.retentionMs ? { maxAgeMs: ctx.retentionMs } : {}),
    }),
  'redis://': async (url, ctx) =>
    (await import('./logs/redis-streams.js')).createRedisStreamsLog({
      url: field(url, 'url'),
      prefix: `${prefixOf(ctx)}:`,
    }),
};

const BUS_DRIVERS: Partial<Record<Scheme, Opener<Bus>>> = {
  'memory:': async () => (await import('./bus/memory.js')).createMemoryBus(),
  'nats://': async (url, ctx) =>
    (await import('./bus/nats.js')).createNatsBus({
      servers: field(url, 'servers'),
      prefix: `${prefixOf(ctx)}.bus`,
      name: `tessera-${ctx.nodeId ?? 'node'}`,
    }),
  'redis://': async (url, ctx) =>
    (await import('./bus/redis.js')).createRedisBus({
      url: field(url, 'url'),
      prefix: `${prefixOf(ctx)}:bus:`,
    }),
};

const REGISTRY = {
  store: STORE_DRIVERS,
  log: LOG_DRIVERS,
  bus: BUS_DRIVERS,
  models: MODEL_DRIVERS,
} satisfies Record<DriverPort, Partial<Record<Scheme, Opener<unknown>>>>;

/** The schemes a port knows, as written in a URL (`sqlite:PATH`, `redis://host:port[/db]`, …). */
export function knownForms(port: DriverPort): string[] {
  return (Object.keys(REGISTRY[port]) as Scheme[]).map((s) => FORMS[s]);
}

/** `x:` of `x:…` or `x://…`; the whole value when it has no scheme. */
export function schemeOf(value: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:)(\/\/)?/.exec(value);
  return m ? m[1]! : value;
}

/** Splits a URL by its scheme; undefined when the scheme is unknown or the rest malformed. */
export function parseDriverUrl(value: string): DriverUrl | undefined {
  if (value === 'memory:') return { scheme: 'memory:' };
  if (value.startsWith('sqlite:')) return { scheme: 'sqlite:', path: value.slice('sqlite:'.length) };
  if (value.startsWith('file:') && value.length > 'file:'.length)
    return { scheme: 'file:', path: value.slice('file:'.length) };
  if (value.startsWith('cloudflare-kv:')) {
    const m = /^cloudflare-kv:\/\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\/?$/.exec(value);
    return m ? { scheme: 'cloudflare-kv://', account: m[1]!, namespace: m[2]! } : undefined;
  }
  const m = /^(redis|nats):\/\/([^/:\s]+)(?::(\d{1,5}))?(\/\d{1,2})?\/?$/.exec(value);
  if (!m) return undefined;
  if (m[1] === 'nats') return m[4] ? undefined : { scheme: 'nats://', servers: `${m[2]}:${m[3] ?? '4222'}` };
  return { scheme: 'redis://', url: value };
}

/** Why `value` cannot name a driver of `port` (without the `[tessera] [config]` prefix); undefined when it can. */
export function driverUrlProblem(port: DriverPort, value: string): string | undefined {
  const url = parseDriverUrl(value);
  if (url && REGISTRY[port][url.scheme]) return undefined;
  const scheme = schemeOf(value);
  const known = Object.keys(REGISTRY[port]);
  if (url === undefined && known.some((k) => k.startsWith(scheme)))
    return `malformed ${port} URL ${JSON.stringify(value)} (use ${knownForms(port).join(', ')})`;
  return `unknown ${port} scheme ${JSON.stringify(scheme)} (known: ${knownForms(port).join(', ')})`;
}

async function open<T>(port: DriverPort, value: string, ctx: DriverContext): Promise<T> {
  const problem = driverUrlProblem(port, value);
  if (problem) throw new TesseraError(500, `[tessera] [config] ${problem}`);
  const url = parseDriverUrl(value)!;
  const opener = REGISTRY[port][url.scheme] as Opener<T>;
  return opener(url, ctx);
}

/** The profile store named by `url`, with its event log and a model store beside it. */
export const openStore = (url: string, ctx: DriverContext) => open<OpenedStores>('store', url, ctx);
/** An event log of its own (instead of the store's): `redis://` or `nats://`. */
export const openLog = (url: string, ctx: DriverContext) => open<EventLog>('log', url, ctx);
/** The bus between nodes: `memory:`, `redis://` or `nats://`. */
export const openBus = (url: string, ctx: DriverContext) => open<Bus>('bus', url, ctx);
/** A model store: `file:PATH`, `memory:`, `redis://` or `cloudflare-kv://ACCOUNT/NAMESPACE`. */
export const openModels = (url: string, ctx: DriverContext) => open<ModelStore>('models', url, ctx);
