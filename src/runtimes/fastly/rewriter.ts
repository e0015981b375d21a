/**
 * The core's HTMLRewriter slice (rewriter-types.ts) over Fastly's own
 * lol-html, `HTMLRewritingStream` from `fastly:html-rewriter`. Fastly
 * Compute's JavaScript runtime has no `WebAssembly` global (probed: `typeof
 * WebAssembly` is "undefined" in js-compute 3.46), so html-rewriter-wasm
 * cannot run there; the runtime ships lol-html natively instead. The core
 * only registers synchronous element handlers, which is what Fastly's
 * stream offers. Differences mapped here: `setInnerContent` is
 * `replaceChildren`, `remove` is `replaceWith('')`, `{ html: true }` is
 * `{ escapeHTML: false }`, `hasAttribute` is `getAttribute() !== null`.
 * @module
 */
import type {
  ContentOptions,
  ElementLike,
  HTMLRewriterFactory,
  HTMLRewriterLike,
} from '../../core/assemble/rewriter-types.js';

/** Fastly's `Element` as documented (types/html-rewriter.d.ts of @fastly/js-compute). */
export interface FastlyElementLike {
  readonly tag: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  replaceWith(content: string, options?: { escapeHTML?: boolean }): void;
  replaceChildren(content: string, options?: { escapeHTML?: boolean }): void;
  prepend(content: string, options?: { escapeHTML?: boolean }): void;
  append(content: string, options?: { escapeHTML?: boolean }): void;
}

export interface FastlyRewritingStreamLike {
  onElement(selector: string, handler: (element: FastlyElementLike) => void): this;
  readonly writable: WritableStream<Uint8Array>;
  readonly readable: ReadableStream<Uint8Array>;
}

export type FastlyRewritingStreamClass = new () => FastlyRewritingStreamLike;

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const escaping = (o?: ContentOptions) => ({ escapeHTML: !o?.html });

function element(el: FastlyElementLike): ElementLike {
  const self: ElementLike = {
    get tagName() {
      return el.tag;
    },
    getAttribute: (name) => el.getAttribute(name),
    hasAttribute: (name) => el.getAttribute(name) !== null,
    setAttribute: (name, value) => {
      el.setAttribute(name, value);
      return self;
    },
    removeAttribute: (name) => {
      el.removeAttribute(name);
      return self;
    },
    setInnerContent: (content, o) => {
      el.replaceChildren(content, escaping(o));
      return self;
    },
    prepend: (content, o) => {
      el.prepend(content, escaping(o));
      return self;
    },
    append: (content, o) => {
      el.append(content, escaping(o));
      return self;
    },
    remove: () => {
      el.replaceWith('', { escapeHTML: false });
      return self;
    },
  };
  return self;
}

export function fastlyRewriter(Stream: FastlyRewritingStreamClass): HTMLRewriterFactory {
  return () => {
    const handlers: Array<[string, (el: ElementLike) => void]> = [];
    const rewriter: HTMLRewriterLike = {
      on(selector, h) {
        if (h.element) handlers.push([selector, h.element as (el: ElementLike) => void]);
        return rewriter;
      },
      transform(response) {
        const headers = new Headers(response.headers);
        headers.delete('content-length');
        const init = { status: response.status, statusText: response.statusText, headers };
        if (response.body === null || NULL_BODY_STATUSES.has(response.status))
          return new Response(null, init);
        const stream = new Stream();
        for (const [selector, fn] of handlers) stream.onElement(selector, (el) => fn(element(el)));
        return new Response(response.body.pipeThrough(stream), init);
      },
    };
    return rewriter;
  };
}
