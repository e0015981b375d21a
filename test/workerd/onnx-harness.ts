/**
 * Builds test/workerd/onnx-worker.ts with the ORT wasm as a CompiledWasm
 * module beside the bundle (the layout wrangler deploys) and runs it in
 * workerd through Miniflare. Reports the bundle and wasm sizes.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { ortWasmPath } from '../../src/models/onnx/ort-node.js';

export interface OnnxWorker {
  baseUrl: string;
  bundleBytes: number;
  wasmBytes: number;
  close(): Promise<void>;
}

export async function startOnnxWorker(entry = 'test/workerd/onnx-worker.ts'): Promise<OnnxWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-onnx-'));
  const outfile = join(dir, 'worker.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['*.wasm', 'cloudflare:*'],
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
  copyFileSync(ortWasmPath(), join(dir, 'ort-wasm-simd-threaded.wasm'));
  const mf = new Miniflare({
    compatibilityDate: '2024-09-23',
    host: '127.0.0.1',
    port: 0,
    // Listed, not discovered: Miniflare's module walker rejects onnxruntime's non-literal import().
    modules: [
      { type: 'ESModule', path: outfile },
      { type: 'CompiledWasm', path: join(dir, 'ort-wasm-simd-threaded.wasm') },
    ],
    modulesRoot: dir,
  } as MiniflareOptions);
  const url = await mf.ready;
  return {
    baseUrl: url.href.replace(/\/$/, ''),
    bundleBytes: statSync(outfile).size,
    wasmBytes: statSync(join(dir, 'ort-wasm-simd-threaded.wasm')).size,
    async close() {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
