/**
 * The demo shop Worker exactly as deployed, plus one route the tests need and
 * production does not have: `GET /__test/events` answers how many events the
 * isolate's event log forwarded (a queue cannot be counted from outside).
 */
import worker from '../../examples/cloudflare/worker.js';
import type { ExecutionContextLike, TesseraEnv } from '../../src/runtimes/cloudflare/index.js';
import { engineStores } from '../helpers/engine-ports.js';

export { TesseraProfiles } from '../../examples/cloudflare/worker.js';

export default {
  async fetch(request: Request, env: TesseraEnv, ctx: ExecutionContextLike): Promise<Response> {
    if (new URL(request.url).pathname === '/__test/events') {
      const engine = await worker.engine(env);
      return Response.json({ count: await engineStores(engine).events.count() });
    }
    return worker.fetch(request, env, ctx);
  },
};
