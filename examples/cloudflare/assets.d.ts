// Files the Worker bundle imports as text (esbuild `text` loader, scripts/build-worker.mjs).
declare module '*.html' {
  const text: string;
  export default text;
}
declare module '*.css' {
  const text: string;
  export default text;
}
/** The minified browser collector, built in memory by scripts/build-worker.mjs. */
declare module 'tessera:collector' {
  const script: string;
  export default script;
}
/** uPlot's minified script (node_modules/uplot/dist), as text, for the admin dashboard. */
declare module 'tessera:uplot' {
  const script: string;
  export default script;
}
