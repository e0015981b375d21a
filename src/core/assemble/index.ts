/**
 * Assembly: fill `data-tessera-slot` elements of origin HTML through the
 * Workers HTMLRewriter API — page shells for the cached path, one streaming
 * pass for origin mode, and escaping for recommendation tiles.
 * @module
 */
export { escapeHtml, renderItemTemplate } from './escape.js';
export type {
  ContentOptions,
  ElementHandlersLike,
  ElementLike,
  HTMLRewriterFactory,
  HTMLRewriterLike,
} from './rewriter-types.js';
export { SLOT_ATTRIBUTE, SLOT_SELECTOR } from './rewriter-types.js';
export type { Shell, ShellFills, ShellStreamOptions } from './shell.js';
export { buildShell, renderShell, renderShellChunks, shellStream } from './shell.js';
export { rewriteStream } from './stream.js';
export { compileItemTemplate, type TileRenderer } from './tiles.js';
