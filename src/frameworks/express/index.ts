/**
 * Tessera as Express middleware: `app.use(tessera({ site, catalog, settings }))`,
 * mounted at the root and before body parsers (it reads `/collect`'s body
 * itself) and after compression (it personalizes uncompressed HTML). Pages
 * the app renders (`res.send`, `res.render`, `res.end`) are personalized on
 * the way out; `/collect`, `/tessera.js` and `/privacy/me` are answered
 * before the app's routes. Node only: the lol-html (wasm) HTMLRewriter.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../../core/engine.js';
import type { Reply } from '../../core/http/reply.js';
import { requestLogger } from '../../core/request-logger.js';
import { requestIdOf } from '../../observe/request-id.js';
import { createNodeRewriter } from '../../runtimes/node/html-rewriter.js';
import { NodeRequest } from '../../runtimes/node/request.js';
import { createTesseraMiddleware, type TesseraMiddlewareOptions } from '../middleware.js';
import { capturePage } from '../node-capture.js';
import { builtCollector } from '../node-collector.js';
import { writeToFramework } from '../node-reply.js';

export type { TesseraMiddlewareOptions } from '../middleware.js';

/** Express's middleware signature, without importing Express's types into the build. */
export type TesseraExpress = ((
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void) & {
  /** The engine, built on first use (profiles, models, experiments, health). */
  engine(): Promise<Engine>;
};

export function tessera(options: TesseraMiddlewareOptions): TesseraExpress {
  const t = createTesseraMiddleware({
    collector: builtCollector(),
    ...options,
    ports: { rewriter: createNodeRewriter, ...options.ports },
  });
  const middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    t.engine().then((engine) => {
      // The proxy's X-Request-Id when it is a plain token, else one minted here: the engine puts it
      // on every log line it writes for the request, as the Node server does.
      const id = requestIdOf(req.headers['x-request-id']);
      const request = new NodeRequest(req, engine.settings.maxBodyBytes, id);
      const head = req.method === 'HEAD';
      if (t.owns(request)) {
        t.serve(request).then((reply) => writeToFramework(res, reply, head), next);
        return;
      }
      capturePage(request.method, res, (page, done) => {
        t.personalize(request, page.html, page.headers, page.cookies)
          .catch((e: unknown): Reply => {
            // Failing open: the site's page as the app rendered it, not an error page.
            requestLogger(engine.logger, id).error('[tessera] [express] page not personalized', {
              error: String(e),
            });
            return {
              status: 200,
              headers: Object.fromEntries(page.headers),
              cookies: page.cookies,
              body: page.html,
            };
          })
          .then((reply) => {
            writeToFramework(res, reply, head);
            done?.();
          });
      });
      next();
    }, next);
  };
  return Object.assign(middleware, { engine: t.engine });
}
