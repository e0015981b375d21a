/**
 * The slice of the Workers `HTMLRewriter` API the core uses, as structural
 * types. workerd's native class and the Node class over lol-html in
 * WebAssembly (`runtimes/node/html-rewriter.ts`) both fit it, so the core
 * never imports either one.
 * @module
 */

export interface ContentOptions {
  /** Insert as raw HTML; otherwise the content is escaped as text. */
  html?: boolean;
}

/** An element as a rewriter handler sees it; only valid during the handler call. */
export interface ElementLike {
  readonly tagName: string;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  setAttribute(name: string, value: string): this;
  removeAttribute(name: string): this;
  setInnerContent(content: string, options?: ContentOptions): this;
  /** Inserts right after the start tag. */
  prepend(content: string, options?: ContentOptions): this;
  /** Inserts right before the end tag (nothing happens for void or unclosed elements). */
  append(content: string, options?: ContentOptions): this;
  remove(): this;
}

export interface ElementHandlersLike {
  element?(element: ElementLike): void | Promise<void>;
}

export interface HTMLRewriterLike {
  /** Register handlers for a CSS selector; all handlers are registered before `transform`. */
  on(selector: string, handlers: ElementHandlersLike): HTMLRewriterLike;
  /** A new response whose body is the input body rewritten as it streams. */
  transform(response: Response): Response;
}

/** Makes a fresh rewriter; called once per document. */
export type HTMLRewriterFactory = () => HTMLRewriterLike;

/** The attribute that marks a slot in the origin's HTML. */
export const SLOT_ATTRIBUTE = 'data-tessera-slot';
export const SLOT_SELECTOR = `[${SLOT_ATTRIBUTE}]`;
