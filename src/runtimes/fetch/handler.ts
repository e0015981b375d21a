/**
 * The generic Web-standard handler: `(request) => Promise<Response>` over an
 * engine, for any runtime with `fetch` semantics (Deno, Bun, Vercel Edge,
 * Netlify Edge, workerd). It builds the engine once, on first use, and adds
 * nothing to the decision logic. Defaults: in-memory profiles (one process
 * or isolate; pass a durable store for more), events deduplicated in the
 * isolate and kept nowhere (pass `ports.events`), and the runtime's global `HTMLRewriter` when it has one (workerd,
 * Bun); elsewhere pass `rewriter` (e.g. `createNodeRewriter` from `tessera/node`,
 * lol-html in WebAssembly).
 * @module
 */
import type { HTMLRewriterFactory, HTMLRewriterLike } from '../../core/assemble/index.js';
import { createEngine, type Engine, type EngineConfig, type EnginePorts } from '../../core/engine.js';
import { TesseraError } from '../../core/errors.js';
import { errorReply, toResponse } from '../../core/http/reply.js';
import { createQueueEventLog } from '../../logs/cloudflare-queue.js';
import { createMemoryStore } from '../../profiles/memory.js';

export interface FetchHandlerOptions extends EngineConfig {
  ports?: Partial<EnginePorts>;
  /** The model artifact, or where to load it from once (before the first decision). */
  model?: ArrayBuffer | (() => Promise<ArrayBuffer | undefined>);
}

/** What a runtime offers to finish work after the response (Workers' `ctx`, Vercel's `waitUntil`). */
export interface WaitUntilLike {
  waitUntil(work: Promise<unknown>): void;
}

/**
 * With `ctx`, the request's background work (views and exposures being
 * stored) is handed to `ctx.waitUntil`; without it (Node, Deno, Bun: the
 * process outlives the response) it simply runs on.
 */
export type FetchHandler = ((request: Request, ctx?: WaitUntilLike) => Promise<Response>) & {
  /** The engine, built on the first call. */
  engine(): Promise<Engine>;
};

/** `() => new HTMLRewriter()` when the runtime has one as a global. */
export function nativeRewriter(): HTMLRewriterFactory | undefined {
  const Native = (globalThis as { HTMLRewriter?: new () => HTMLRewriterLike }).HTMLRewriter;
  return Native ? () => new Native() : undefined;
}

export function createFetchHandler(o: FetchHandlerOptions): FetchHandler {
  let ready: Promise<Engine> | undefined;
  async function build(): Promise<Engine> {
    const rewriter = o.ports?.rewriter ?? nativeRewriter();
    if (!rewriter) {
      throw new TesseraError(
        500,
        '[tessera] [fetch] this runtime has no global HTMLRewriter: pass ports.rewriter (e.g. createNodeRewriter)',
      );
    }
    const engine = createEngine(o, {
      ...o.ports,
      profiles: o.ports?.profiles ?? createMemoryStore().profiles,
      // Without a log, events still dedupe within the isolate (bounded) and go nowhere.
      events: o.ports?.events ?? createQueueEventLog(),
      rewriter,
    });
    const artifact = typeof o.model === 'function' ? await o.model() : o.model;
    if (artifact) engine.models.swap(artifact);
    else await engine.models.reload();
    return engine;
  }
  const engine = () => {
    // A failed build is retried by the next request rather than cached forever.
    ready ??= build().catch((e: unknown) => {
      ready = undefined;
      throw e;
    });
    return ready;
  };
  const handler = async (request: Request, ctx?: WaitUntilLike): Promise<Response> => {
    try {
      const built = await engine();
      const response = await built.fetch(request);
      ctx?.waitUntil(built.idle());
      return response;
    } catch (e) {
      // The engine answers its own errors; this is what escaped it (a failed build, a reply that could not
      // become a Response): logged, and a JSON 500 instead of the runtime's bare error page.
      const log = o.ports?.logger?.error ?? ((m: string, d?: Record<string, unknown>) => console.error(m, d));
      log('[tessera] [fetch] request failed', { error: String(e), stack: (e as Error)?.stack });
      return toResponse(errorReply(new TesseraError(500, '[tessera] internal error')));
    }
  };
  return Object.assign(handler, { engine });
}
