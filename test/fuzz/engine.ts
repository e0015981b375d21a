/**
 * An in-process engine on the demo shop with memory stores, and RequestLike
 * objects built directly: the fuzz suite calls `engine.handle` with no
 * sockets, so it can afford 100,000 inputs.
 */
import { join } from 'node:path';
import type { RequestLike } from '../../src/core/context.js';
import { createEngine, type Engine } from '../../src/core/engine.js';
import type { Reply } from '../../src/core/http/reply.js';
import { toResponse } from '../../src/core/http/reply.js';
import type { LimitSettings } from '../../src/core/limits/index.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { loadSite, packageRoot } from '../../src/runtimes/node/app.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';

export interface FuzzEngine {
  engine: Engine;
  /** Errors the engine logged (a logged error is a 500 that was turned into a reply). */
  errors: string[];
  /** A real visitor cookie header (`tsr_id=...`), minted by the engine. */
  cookie: string;
  /** The catalog's product ids. */
  items: string[];
}

export async function startFuzzEngine(limits: Partial<LimitSettings> = {}): Promise<FuzzEngine> {
  const shop = await loadSite(join(packageRoot, 'examples/shop'));
  const stores = createMemoryStore();
  const errors: string[] = [];
  const note = (msg: string, data?: Record<string, unknown>) => errors.push(`${msg} ${JSON.stringify(data)}`);
  const engine = createEngine(
    {
      // One visitor sends every fuzz batch: the daily per-visitor log quota is not what is tested here.
      site: parseSiteConfig({ ...(shop.site as object), privacy: { maxEventsPerDay: 1_000_000 } }),
      catalog: shop.catalog,
      settings: { secret: 'fuzz-suite-secret-fuzz-suite-secret-0000', consentMode: 'opt-out' },
      limits,
    },
    {
      profiles: stores.profiles,
      events: stores.events,
      rewriter: createNodeRewriter,
      origin: { render: (path) => shop.render(path) },
      assets: shop.assets,
      logger: { debug() {}, info() {}, warn() {}, error: note },
    },
  );
  const first = await engine.handle(request('GET', '/'));
  const idLine = first.cookies.find((c) => c.startsWith('tsr_id='));
  if (!idLine) throw new Error('the engine set no visitor cookie in opt-out mode');
  return { engine, errors, cookie: idLine.split(';')[0] ?? '', items: shop.catalog.map((p) => p.id) };
}

/** A RequestLike as a runtime would build it; header names are matched lower-case. */
export function request(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
  clientIp?: string,
): RequestLike & { clientIp?: string } {
  const h = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method,
    url: `http://shop.test${path}`,
    headers: { get: (n: string) => h.get(n.toLowerCase()) ?? null },
    text: async () => body,
    ...(clientIp ? { clientIp } : {}),
  };
}

/** The reply's body as text (pages may be chunk lists or streams). */
export async function replyText(reply: Reply): Promise<string> {
  if (typeof reply.body === 'string') return reply.body;
  return toResponse(reply).text();
}
