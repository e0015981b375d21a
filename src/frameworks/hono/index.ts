/**
 * Tessera as Hono middleware: `app.use(tessera({ site, catalog, settings }))`.
 * Pages the app renders are personalized on the way out; `/collect`,
 * `/tessera.js` and `/privacy/me` are answered before the app's routes.
 * Runs wherever Hono runs: workerd and Bun have `HTMLRewriter` natively; on
 * Node pass `ports: { rewriter: createNodeRewriter }` from `tessera/node`.
 * Background work (views being stored) goes to `c.executionCtx.waitUntil`
 * when the runtime has one.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import type { Engine } from '../../core/engine.js';
import { createTesseraMiddleware, type TesseraMiddlewareOptions } from '../middleware.js';

export type { TesseraMiddlewareOptions } from '../middleware.js';

export type TesseraHono = MiddlewareHandler & {
  /** The engine, built on first use (profiles, models, experiments, health). */
  engine(): Promise<Engine>;
};

export function tessera(options: TesseraMiddlewareOptions): TesseraHono {
  const t = createTesseraMiddleware(options);
  const middleware: MiddlewareHandler = async (c, next) => {
    const response = await t.fetch(c.req.raw, async () => {
      await next();
      return c.res;
    });
    const engine = await t.engine();
    waitUntilOf(c)?.(engine.idle());
    if (response === c.res) return;
    // Hono copies the old response's headers over a new one (cookies, cache-control): the
    // personalized page already holds the framework's headers merged with Tessera's.
    c.res = undefined;
    c.res = response;
  };
  return Object.assign(middleware, { engine: t.engine });
}

/** `c.executionCtx.waitUntil` where the runtime gives one (workerd); Hono throws on Node. */
function waitUntilOf(c: { executionCtx: { waitUntil(p: Promise<unknown>): void } }) {
  try {
    const ctx = c.executionCtx;
    return (p: Promise<unknown>) => ctx.waitUntil(p);
  } catch {
    return undefined;
  }
}
