// `PORT=8789 npm run dev:deno` / `PORT=8790 npm run dev:bun`: the demo shop in
// Deno or Bun. Bundles examples/<runtime>/server.ts (build-runtime.mjs) into
// dist/<runtime>/, trains the shop's model into .tessera/<runtime>/model.tsra
// (what `npm start` trains at boot), keeps a secret and the embedded store
// (Deno KV, bun:sqlite) under .tessera/<runtime>/, and runs the runtime from
// node_modules/.bin.
//
//   node scripts/dev-runtime.mjs deno|bun
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRuntime } from './build-runtime.mjs';
import { importForNode } from './build-worker.mjs';

const RUNTIMES = {
  deno: { port: 8789, argv: ['run', '--unstable-kv', '--allow-all', '--no-config'], store: 'kv.sqlite' },
  bun: { port: 8790, argv: ['run'], store: 'tessera.db', external: ['bun:*'] },
};
const name = process.argv[2];
const runtime = RUNTIMES[name];
if (!runtime) throw new Error(`[tessera] [dev] usage: dev-runtime.mjs ${Object.keys(RUNTIMES).join('|')}`);

const root = fileURLToPath(new URL('..', import.meta.url));
const state = join(root, '.tessera', name);
mkdirSync(state, { recursive: true });
const secretFile = join(state, 'secret');
if (!existsSync(secretFile))
  writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
const modelFile = join(state, 'model.tsra');
if (!existsSync(modelFile)) {
  const { trainShopModel } = await importForNode(
    'examples/cloudflare/train-model.ts',
    `dist/${name}/train-model.mjs`,
  );
  writeFileSync(modelFile, new Uint8Array(await trainShopModel(join(root, 'examples/shop'))));
}
const { outfile, bytes, gzipBytes } = await buildRuntime({
  entry: `examples/${name}/server.ts`,
  outfile: `dist/${name}/server.mjs`,
  external: runtime.external ?? [],
});
console.log(
  `[tessera] ${outfile}: ${(bytes / 1024).toFixed(1)} KiB, ${(gzipBytes / 1024).toFixed(1)} KiB gzipped`,
);

const child = spawn(join(root, 'node_modules/.bin', name), [...runtime.argv, join(root, outfile)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: process.env.PORT ?? String(runtime.port),
    TESSERA_SECRET: process.env.TESSERA_SECRET ?? readFileSync(secretFile, 'utf8').trim(),
    TESSERA_CONSENT_MODE: process.env.TESSERA_CONSENT_MODE ?? 'opt-in',
    TESSERA_SECURE_COOKIES: process.env.TESSERA_SECURE_COOKIES ?? 'false',
    TESSERA_MODEL_FILE: modelFile,
    ...(name === 'deno'
      ? { TESSERA_KV_PATH: join(state, runtime.store) }
      : { TESSERA_SQLITE_PATH: join(state, runtime.store) }),
  },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
