/**
 * The demo shop's handler in Deno: profiles in Deno KV (`TESSERA_KV_PATH`,
 * default Deno's own location), the model artifact read once from
 * `TESSERA_MODEL_FILE`. server.ts serves it; the tests serve it with their
 * own routes beside it.
 */
import { createDenoHandler } from '../../src/runtimes/deno/index.js';
import { shopSite } from '../cloudflare/shop.js';

export async function startDenoShop() {
  const env = Deno.env.toObject();
  const kv = await Deno.openKv(env.TESSERA_KV_PATH || undefined);
  const modelFile = env.TESSERA_MODEL_FILE;
  const handler = createDenoHandler({
    env,
    site: shopSite(),
    kv,
    ...(modelFile
      ? { model: async () => (await Deno.readFile(modelFile)).slice().buffer as ArrayBuffer }
      : {}),
  });
  await handler.engine();
  return { env, kv, handler };
}
