/**
 * onnxruntime-web for Node: the wasm backend, single-threaded, with the wasm
 * read from node_modules (no network, no worker threads). Loaded lazily so
 * nothing pays for 15 MB of wasm unless an ONNX model is used.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OrtLike } from './scorer.js';

let loading: Promise<OrtLike> | undefined;

/** The wasm file the runtime uses (its size is stated in docs/onnx.md). */
export function ortWasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('onnxruntime-web')), 'ort-wasm-simd-threaded.wasm');
}

export function loadOrtNode(): Promise<OrtLike> {
  loading ??= (async () => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmBinary = await readFile(ortWasmPath());
    return ort as unknown as OrtLike;
  })();
  return loading;
}
