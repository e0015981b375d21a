// The esbuild options of the browser collector, shared by build-browser.mjs
// (dist/browser/tessera.min.js) and build-worker.mjs (inlined into the Worker),
// so both runtimes serve the same script. The script has a 3 KB gzipped budget
// (scripts/check-browser-size.mjs), hence the two size options below.
export const collectorBuildOptions = {
  entryPoints: ['src/browser/entry.ts'],
  bundle: true,
  format: 'iife',
  minify: true,
  // Keeps `?.` and `??` native (Chrome 80, Firefox 74, Safari 13.1).
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  // Shortens property names that never leave the bundle: CollectorDeps, the
  // Collector's DOM-side methods and FieldFacts' own fields. Listed one by one,
  // because a name that is also a DOM, JSON or `window.tessera` property
  // (`now`, `type`, `events`, `consent`...) must keep its spelling.
  mangleProps: /^(readCookies|privacySignal|send|load|save|retryBase|record|drain|allow|tag|mode)$/,
  logLevel: 'warning',
};
