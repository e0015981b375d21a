// The esbuild options of the browser collector, shared by build-browser.mjs
// (dist/browser/tessera.min.js) and build-worker.mjs (inlined into the Worker),
// so both runtimes serve the same script.
export const collectorBuildOptions = {
  entryPoints: ['src/browser/entry.ts'],
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2019',
  platform: 'browser',
  legalComments: 'none',
  logLevel: 'warning',
};
