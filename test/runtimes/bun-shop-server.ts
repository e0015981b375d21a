/**
 * The Bun demo shop exactly as examples/bun/shop.ts builds it, plus the
 * test-only routes (test-routes.ts). Listens on port 0 and prints the port.
 */
import { startBunShop } from '../../examples/bun/shop.js';
import { countStoredProfiles, testRoutes } from './test-routes.js';

const { handler } = await startBunShop();
const engine = await handler.engine();
const routes = testRoutes(engine, () => countStoredProfiles(engine));
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: async (req) => (await routes(req)) ?? handler(req),
});
console.log(`listening ${server.port}`);
