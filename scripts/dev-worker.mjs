// `PORT=8788 npm run dev:worker`: the demo shop in workerd, through the
// Miniflare API (wrangler 4 needs Node 22). The same pages and endpoints as
// `npm start`: profiles in a local KV namespace (persisted under
// .tessera/worker/), events to a local queue that the Worker consumes, the collector at /tessera.js.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { buildWorker, importForNode } from './build-worker.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const state = join(root, '.tessera/worker');
mkdirSync(state, { recursive: true });
const secretFile = join(state, 'secret');
if (!existsSync(secretFile))
  writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });

const { outfile, gzipBytes } = await buildWorker({ minify: false });
const port = Number(process.env.PORT ?? 8788);

const mf = new Miniflare({
  modules: true,
  scriptPath: join(root, outfile),
  compatibilityDate: '2024-09-23',
  host: '127.0.0.1',
  port,
  kvNamespaces: ['TESSERA_KV'],
  kvPersist: join(state, 'kv'),
  queueProducers: { TESSERA_EVENTS: 'tessera-events' },
  // The Worker consumes its own event queue (queue-consumer.ts), as wrangler.toml sets it up.
  queueConsumers: { 'tessera-events': { maxBatchSize: 100, maxBatchTimeout: 1 } },
  bindings: {
    TESSERA_SECRET: process.env.TESSERA_SECRET ?? readFileSync(secretFile, 'utf8').trim(),
    TESSERA_CONSENT_MODE: process.env.TESSERA_CONSENT_MODE ?? 'opt-in',
    TESSERA_SECURE_COOKIES: 'false',
  },
});
const url = await mf.ready;
// Publish the model the way a deploy does: the artifact in KV, read once per isolate.
const kv = await mf.getKVNamespace('TESSERA_KV');
if ((await kv.get('model/current.tsra')) === null) {
  const { trainShopModel } = await importForNode(
    'examples/cloudflare/train-model.ts',
    'dist-worker/train-model.mjs',
  );
  await kv.put('model/current.tsra', await trainShopModel(join(root, 'examples/shop')));
}
console.log(
  `[tessera] demo shop in workerd at ${url.href} (worker ${(gzipBytes / 1024).toFixed(1)} KiB gzipped)`,
);

const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
