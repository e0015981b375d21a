/**
 * The demo shop's handler in Bun: profiles in SQLite (`TESSERA_SQLITE_PATH`,
 * default `tessera.db`) through `bun:sqlite`, Bun's native HTMLRewriter, the
 * model artifact read once from `TESSERA_MODEL_FILE`. server.ts serves it;
 * the tests serve it with their own routes beside it.
 */
import { Database } from 'bun:sqlite';
import { createBunHandler } from '../../src/runtimes/bun/index.js';
import { shopSite } from '../cloudflare/shop.js';

export async function startBunShop() {
  const env = Bun.env as Record<string, string>;
  const db = new Database(env.TESSERA_SQLITE_PATH || 'tessera.db', { create: true });
  const modelFile = env.TESSERA_MODEL_FILE;
  const handler = createBunHandler({
    env,
    site: shopSite(),
    db,
    ...(modelFile ? { model: () => Bun.file(modelFile).arrayBuffer() } : {}),
  });
  await handler.engine();
  return { env, db, handler };
}
