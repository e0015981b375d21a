/**
 * The demo shop in Deno: `PORT=8789 npm run dev:deno` bundles this file
 * (scripts/build-runtime.mjs) and runs it with `deno run` (see README.md).
 */
import { startDenoShop } from './shop.js';

const { env, handler } = await startDenoShop();
Deno.serve(
  {
    port: Number(env.PORT ?? 8789),
    hostname: env.HOST ?? '127.0.0.1',
    onListen: ({ port }) => console.log(`[tessera] demo shop in Deno at http://127.0.0.1:${port}/`),
  },
  handler,
);
