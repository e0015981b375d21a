/** Wasm imports of test Workers are CompiledWasm modules (workerd, wrangler's default rule). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
