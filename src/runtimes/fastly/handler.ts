/**
 * Tessera on Fastly Compute: the generic fetch handler wired to Fastly's
 * platform, which the entry passes in (so this module names no `fastly:*`
 * import and is tested in Node with fakes of the documented APIs):
 *
 * | Fastly                          | used for                                          |
 * |---------------------------------|---------------------------------------------------|
 * | KV Store (`kvStore`, default `tessera`) | profiles + links, the experiment ledger, the model (`model/current.tsra`) |
 * | Secret Store                    | `TESSERA_SECRET` (or `TESSERA_KEYS`)               |
 * | Config Store / env              | `TESSERA_CONSENT_MODE`, `TESSERA_ORIGIN`, …        |
 * | backend `origin`                | the site's pages when `TESSERA_ORIGIN` is set      |
 * | `fastly:html-rewriter`          | lol-html, native (rewriter.ts: no WebAssembly here) |
 * | log endpoint (`fastly:logger`)  | the event stream, one JSON line per event (optional) |
 *
 * Fastly has no work after the response: a request's writes (profiles
 * stored, views observed at the edge) finish before its response is
 * returned, within `budgetMs`; what is still running then is left to finish
 * if the instance lives on, and is reported.
 * @module
 */
import type { QueueLike } from '../../connections/cloudflare-bindings.js';
import type { Engine } from '../../core/engine.js';
import { createKvLedgerStore } from '../../ledgers/cloudflare-kv.js';
import { createQueueEventLog, type QueueMessage } from '../../logs/cloudflare-queue.js';
import { createMemoryEventLog } from '../../logs/memory.js';
import { createKvModelStore } from '../../models/cloudflare.js';
import {
  createFastlyKvProfileStore,
  type FastlyKvStoreLike,
  fastlyKvNamespace,
} from '../../profiles/fastly-kv.js';
import { fetchOrigin } from '../cloudflare/origin.js';
import { createEdgeHandler, type EdgeEnv, type EdgeSite } from '../edge/env-handler.js';
import { type FastlyRewritingStreamClass, fastlyRewriter } from './rewriter.js';

export interface FastlyEnv extends EdgeEnv {
  TESSERA_ORIGIN?: string;
}

export interface FastlyPlatform {
  /** `KVStore` from `fastly:kv-store`. */
  KVStore: new (
    name: string,
  ) => FastlyKvStoreLike;
  /** `HTMLRewritingStream` from `fastly:html-rewriter`. */
  HTMLRewritingStream: FastlyRewritingStreamClass;
  /** Settings: a Config Store's entries, or `fastly:env`. */
  env(name: keyof FastlyEnv): string | undefined;
  /** A secret from the Secret Store (`(await store.get(name))?.plaintext()`). */
  secret(name: string): Promise<string | undefined>;
  /** A log endpoint for events (`new Logger(name)` from `fastly:logger`); default: none. */
  eventLogger?: { log(line: string): void };
  /** `fetch` to the backend declared as `origin` (`fetch(url, { backend: 'origin' })`). */
  fetchOrigin?: typeof fetch;
}

export interface FastlyHandlerOptions {
  platform: FastlyPlatform;
  /** The site; `TESSERA_ORIGIN` set: pages come from there through the `origin` backend instead of `site.origin`. */
  site: EdgeSite;
  kvStore?: string;
  /** Most time a response waits for its writes (ms, default 100). */
  budgetMs?: number;
  onBudgetExceeded?: (pending: string) => void;
}

const ENV_KEYS: Array<keyof FastlyEnv> = [
  'TESSERA_CONSENT_MODE',
  'TESSERA_SECURE_COOKIES',
  'TESSERA_NODE_ID',
  'TESSERA_ALLOWED_ORIGINS',
  'TESSERA_ENCRYPT_AT_REST',
  'TESSERA_KEY_CURRENT',
  'TESSERA_ORIGIN',
];

/** Events to a Fastly log endpoint, in the queue log's shape (write-only, deduplicated in the instance). */
function loggerQueue(logger: { log(line: string): void }): QueueLike<QueueMessage> {
  return {
    async send(body) {
      logger.log(JSON.stringify(body));
    },
    async sendBatch(messages) {
      for (const m of messages) logger.log(JSON.stringify(m.body));
    },
  };
}

async function envFrom(p: FastlyPlatform): Promise<FastlyEnv> {
  const env: FastlyEnv = {};
  for (const k of ENV_KEYS) {
    const v = p.env(k);
    if (v !== undefined) (env as Record<string, string>)[k] = v;
  }
  for (const k of ['TESSERA_SECRET', 'TESSERA_KEYS'] as const) {
    const v = await p.secret(k);
    if (v !== undefined) env[k] = v;
  }
  return env;
}

export type FastlyHandler = ((request: Request) => Promise<Response>) & { engine(): Promise<Engine> };

export function createFastlyHandler(o: FastlyHandlerOptions): FastlyHandler {
  const budget = o.budgetMs ?? 100;
  const report = o.onBudgetExceeded ?? ((what: string) => console.error(`[tessera] [fastly] ${what}`));
  let built:
    | Promise<{ handler: ReturnType<typeof createEdgeHandler>; settle: () => Promise<void> }>
    | undefined;

  async function build() {
    const p = o.platform;
    const env = await envFrom(p);
    const kv = new p.KVStore(o.kvStore ?? 'tessera');
    let settle: () => Promise<void> = async () => {};
    // TESSERA_ORIGIN (the site behind, through the `origin` backend) wins over the site's own pages.
    const origin = env.TESSERA_ORIGIN
      ? fetchOrigin({ url: env.TESSERA_ORIGIN, ...(p.fetchOrigin ? { fetch: p.fetchOrigin } : {}) })
      : o.site.origin;
    const handler = createEdgeHandler({
      env,
      site: { ...o.site, ...(origin ? { origin } : {}) },
      node: 'fastly',
      ports: (codec) => {
        const profiles = createFastlyKvProfileStore({ store: kv, ...(codec ? { codec } : {}) });
        settle = profiles.settle;
        const namespace = fastlyKvNamespace(kv);
        return {
          profiles,
          ledger: createKvLedgerStore({ kv: namespace }),
          models: createKvModelStore(namespace),
          events: p.eventLogger
            ? createQueueEventLog({ queue: loggerQueue(p.eventLogger) })
            : createMemoryEventLog(),
          rewriter: fastlyRewriter(p.HTMLRewritingStream),
        };
      },
    });
    return { handler, settle: () => settle() };
  }

  const ready = () => {
    built ??= build().catch((e: unknown) => {
      built = undefined;
      throw e;
    });
    return built;
  };

  const handle = async (request: Request): Promise<Response> => {
    const { handler, settle } = await ready();
    const response = await handler(request);
    const engine = await handler.engine();
    // Writes before the response leaves: Fastly runs nothing after it.
    const writes = engine.idle().then(settle);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((r) => {
      timer = setTimeout(() => r('late'), budget);
    });
    const outcome = await Promise.race([writes.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late')
      report(`writes of ${new URL(request.url).pathname} still running after ${budget} ms`);
    return response;
  };
  return Object.assign(handle, { engine: async () => (await ready()).handler.engine() });
}
