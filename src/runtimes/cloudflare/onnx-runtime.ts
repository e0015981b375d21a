/**
 * onnxruntime-web inside a Worker. workerd refuses to compile wasm at run
 * time (no `WebAssembly.instantiate(bytes)`), so the wasm comes in as a
 * CompiledWasm module of the bundle (`import wasm from
 * './ort-wasm-simd-threaded.wasm'`, wrangler's default rule for `.wasm`),
 * and the one instantiation onnxruntime asks for is answered with that
 * module: its emscripten loader is given a placeholder `wasmBinary`, and
 * `WebAssembly.instantiate` is wrapped to answer a call with bytes (which
 * workerd would refuse anyway) with that module.
 * The `/wasm` entry (CPU only, the plain ort-wasm-simd-threaded.wasm, 14 MiB)
 * rather than the default one, whose glue expects the 28 MiB WebGPU (jsep) build.
 * Single-threaded: a Worker has no SharedArrayBuffer threads.
 * @module
 */
import type { SessionRankerProvider } from '../../core/recommend/session-ranker-port.js';
import type { OrtLike } from '../../models/onnx/scorer.js';
import { type OnnxSessionRankerOptions, onnxSessionRankers } from '../../models/onnx/session-rankers.js';

let loading: Promise<OrtLike> | undefined;

export function loadOrtWorker(wasm: WebAssembly.Module): Promise<OrtLike> {
  loading ??= (async () => {
    const placeholder = new Uint8Array(8);
    const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (
      source: unknown,
      imports?: WebAssembly.Imports,
    ) => Promise<unknown>;
    (WebAssembly as { instantiate: unknown }).instantiate = async (
      source: unknown,
      imports?: WebAssembly.Imports,
    ) => {
      // Bytes cannot be compiled here anyway; onnxruntime's (a copy of the placeholder) get the module.
      if (source instanceof WebAssembly.Module) return instantiate(source, imports);
      const instance = (await instantiate(wasm, imports)) as WebAssembly.Instance;
      return { instance, module: wasm };
    };
    const ort = await import('onnxruntime-web/wasm');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmBinary = placeholder;
    return ort as unknown as OrtLike;
  })();
  return loading;
}

/**
 * The engine's session ranker in a Worker (`WorkerSite.sessionRanker`, or
 * `ports.sessionRanker` of `createFetchHandler`): pages served with a model
 * that carries an ONNX section are ordered by it, through the bundle's wasm.
 */
export function onnxWorkerRankers(
  wasm: WebAssembly.Module,
  o: Omit<OnnxSessionRankerOptions, 'ort'> = {},
): SessionRankerProvider {
  return onnxSessionRankers({ ...o, ort: () => loadOrtWorker(wasm) });
}
