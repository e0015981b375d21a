/**
 * The Deno demo shop exactly as examples/deno/shop.ts builds it, plus what
 * the tests need and production does not have: `GET /__test/events` (the
 * events the log holds) and `GET /__test/profiles` (the profiles Deno KV
 * holds, erasure tombstones left out). Listens on port 0 and prints the
 * port on its first line.
 */
import { startDenoShop } from '../../examples/deno/shop.js';
import { countStoredProfiles, testRoutes } from './test-routes.js';

const { handler } = await startDenoShop();
const engine = await handler.engine();
const routes = testRoutes(engine, () => countStoredProfiles(engine));
Deno.serve(
  { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening ${port}`) },
  async (req) => (await routes(req)) ?? handler(req),
);
