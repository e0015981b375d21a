/**
 * The demo shop in Bun: `PORT=8790 npm run dev:bun` bundles this file
 * (scripts/build-runtime.mjs, `bun:*` left to Bun) and runs it with `bun run`.
 */
import { startBunShop } from './shop.js';

const { env, handler } = await startBunShop();
const server = Bun.serve({
  port: Number(env.PORT ?? 8790),
  hostname: env.HOST ?? '127.0.0.1',
  fetch: handler,
});
console.log(`[tessera] demo shop in Bun at http://127.0.0.1:${server.port}/`);
