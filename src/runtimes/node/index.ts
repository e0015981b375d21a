/**
 * Tessera on Node: the HTTP server, the lol-html (wasm) HTMLRewriter, and a
 * ready app with the embedded store.
 * @module
 */
export { builtCollector } from '../../frameworks/node-collector.js';
export { createNodeApp, type NodeApp, type NodeAppOptions } from './app.js';
export { createNodeRewriter, HTMLRewriter } from './html-rewriter.js';
export { consoleLogger } from './logger.js';
export { guardProcess } from './process-guards.js';
export type { RefusalOptions } from './refusals.js';
export { NodeRequest } from './request.js';
export { createNodeServer, listen, type NodeServerOptions, writeReply } from './server.js';
