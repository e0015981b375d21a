// `node --expose-gc bench/run.mjs --only=runtimes`: page CPU per request of the
// demo shop in Deno, Bun and Vercel's edge-runtime, each beside a bare handler
// answering the same bytes in the same runtime (bench/runtimes/measure.ts),
// and each bundle's size. Fastly Compute is not measured: Viceroy cannot be
// fetched here, so the wasm is built (npm run build:fastly) but never run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EdgeRuntime } from 'edge-runtime';
import { buildRuntime } from '../scripts/build-runtime.mjs';
import { importForNode } from '../scripts/build-worker.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules/.bin', name);

export async function runRuntimes() {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-runtimes-'));
  try {
    const { trainShopModel } = await importForNode(
      'examples/cloudflare/train-model.ts',
      'dist/bench/train-model.mjs',
    );
    const modelFile = join(dir, 'model.tsra');
    writeFileSync(modelFile, new Uint8Array(await trainShopModel(join(root, 'examples/shop'))));
    const catalog = JSON.parse(readFileSync(join(root, 'examples/shop/catalog.json'), 'utf8'));
    const items = catalog
      .filter((p) => p.category === 'running' && p.in_stock)
      .slice(0, 3)
      .map((p) => p.id);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? dir,
      TESSERA_SECRET: 'bench-secret-bench-secret-bench-secret-00',
      TESSERA_CONSENT_MODE: 'opt-in',
      TESSERA_SECURE_COOKIES: 'false',
      TESSERA_MODEL_FILE: modelFile,
    };
    const results = [];

    const deno = await buildRuntime({ entry: 'bench/runtimes/deno.ts', outfile: join(dir, 'deno.mjs') });
    const denoOut = execFileSync(
      bin('deno'),
      ['run', '--quiet', '--unstable-kv', '--allow-all', '--no-config', deno.outfile, ...items],
      {
        env: { ...env, TESSERA_KV_PATH: ':memory:' },
      },
    );
    results.push({ ...JSON.parse(denoOut.toString().trim().split('\n').pop()), bundle: deno });

    const bun = await buildRuntime({
      entry: 'bench/runtimes/bun.ts',
      outfile: join(dir, 'bun.mjs'),
      external: ['bun:*'],
    });
    const bunOut = execFileSync(bin('bun'), ['run', bun.outfile], {
      env: { ...env, TESSERA_SQLITE_PATH: ':memory:', BENCH_ITEMS: items.join(',') },
    });
    results.push({ ...JSON.parse(bunOut.toString().trim().split('\n').pop()), bundle: bun });

    const edge = await buildRuntime({
      entry: 'bench/runtimes/edge.ts',
      outfile: join(dir, 'edge.js'),
      format: 'iife',
    });
    const model = readFileSync(modelFile);
    const runtime = new EdgeRuntime({
      initialCode: readFileSync(edge.outfile, 'utf8'),
      extend: (context) =>
        Object.assign(context, {
          process: {
            env: {
              ...env,
              TESSERA_MODEL_URL: `data:application/octet-stream;base64,${model.toString('base64')}`,
            },
          },
        }),
    });
    const res = await runtime.dispatchFetch(`http://127.0.0.1/__bench?items=${items.join(',')}`);
    results.push({ ...(await res.json()), bundle: edge });

    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runtimeLines(results) {
  const f = (n, d = 0) => n.toFixed(d);
  return results.map(
    (r) =>
      `runtime ${r.runtime} (personalized ${r.bytes} B page, hero ${r.hero}; ${r.clock}, median of ${r.batches}×${r.batchSize}): Tessera ${f(r.tesseraMedianUs)} µs/request, bare handler ${f(r.bareMedianUs)} µs, ratio ${f(r.ratio, 1)}×; bundle ${f(r.bundle.bytes / 1024, 1)} KiB (${f(r.bundle.gzipBytes / 1024, 1)} KiB gzipped)`,
  );
}
