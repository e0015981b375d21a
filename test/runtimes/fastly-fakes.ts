/**
 * Fakes of Fastly Compute's platform modules, following the documented API
 * of @fastly/js-compute 3.46 (types/kv-store.d.ts, types/html-rewriter.d.ts),
 * because Viceroy (Fastly's local server) cannot be fetched on this machine.
 * They are what the Fastly tests run against, and they are fakes: the
 * KV Store is an in-memory map that enforces the documented key rules and
 * `list` paging; the rewriting stream is lol-html too (html-rewriter-wasm),
 * behind the documented `HTMLRewritingStream` / `Element` surface.
 * @module
 */
import { HTMLRewriter as WasmRewriter } from 'html-rewriter-wasm';
import type { FastlyKvStoreLike } from '../../src/profiles/fastly-kv.js';
import type { FastlyElementLike, FastlyRewritingStreamLike } from '../../src/runtimes/fastly/rewriter.js';

/** The documented key rules of `KVStore.put` (a `TypeError` otherwise). */
function checkKey(key: string): void {
  if (key === '' || key === '.' || key === '..') throw new TypeError(`KVStore key "${key}" is not allowed`);
  if (key.startsWith('.well-known/acme-challenge/')) throw new TypeError('KVStore key has a reserved prefix');
  if (/[#;?^|\n\r]/.test(key))
    throw new TypeError(`KVStore key ${JSON.stringify(key)} has a forbidden character`);
  if (key.length > 1024) throw new TypeError('KVStore key is longer than 1024 characters');
}

export class FakeKVStore implements FastlyKvStoreLike {
  readonly data = new Map<string, Uint8Array>();
  puts = 0;
  constructor(readonly name = 'tessera') {}

  async get(key: string) {
    checkKey(key);
    const bytes = this.data.get(key);
    if (!bytes) return null;
    const copy = bytes.slice();
    return {
      arrayBuffer: async () => copy.buffer as ArrayBuffer,
      text: async () => new TextDecoder().decode(copy),
    };
  }

  async put(key: string, value: BodyInit, _options?: { ttl?: number }) {
    checkKey(key);
    this.puts++;
    this.data.set(key, new Uint8Array(await new Response(value).arrayBuffer()));
    return undefined;
  }

  async delete(key: string) {
    checkKey(key);
    this.data.delete(key);
    return undefined;
  }

  /** Sorted keys, `limit` per page (default 100 here), an opaque cursor while more remain. */
  async list(options: { prefix?: string; limit?: number; cursor?: string } = {}) {
    const all = [...this.data.keys()].filter((k) => k.startsWith(options.prefix ?? '')).sort();
    const start = options.cursor ? Number(atob(options.cursor)) : 0;
    const limit = options.limit ?? 100;
    const list = all.slice(start, start + limit);
    const next = start + limit < all.length ? btoa(String(start + limit)) : undefined;
    return { list, cursor: next };
  }
}

interface WasmElement {
  tagName: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  replace(content: string, o?: { html?: boolean }): void;
  setInnerContent(content: string, o?: { html?: boolean }): void;
  before(content: string, o?: { html?: boolean }): void;
  after(content: string, o?: { html?: boolean }): void;
  prepend(content: string, o?: { html?: boolean }): void;
  append(content: string, o?: { html?: boolean }): void;
}

/** Fastly's `Element`; `escapeHTML` defaults to true, as documented. */
function fastlyElement(el: WasmElement, selector: string): FastlyElementLike & { selector: string } {
  const html = (o?: { escapeHTML?: boolean }) => ({ html: o?.escapeHTML === false });
  return {
    selector,
    tag: el.tagName,
    getAttribute: (n) => el.getAttribute(n),
    setAttribute: (n, v) => el.setAttribute(n, v),
    removeAttribute: (n) => el.removeAttribute(n),
    replaceWith: (c, o) => el.replace(c, html(o)),
    replaceChildren: (c, o) => el.setInnerContent(c, html(o)),
    prepend: (c, o) => el.prepend(c, html(o)),
    append: (c, o) => el.append(c, html(o)),
  };
}

export class FakeHTMLRewritingStream implements FastlyRewritingStreamLike {
  readonly #handlers: Array<[string, (el: FastlyElementLike) => void]> = [];
  readonly writable: WritableStream<Uint8Array>;
  readonly readable: ReadableStream<Uint8Array>;

  constructor() {
    let out!: ReadableStreamDefaultController<Uint8Array>;
    this.readable = new ReadableStream({
      start: (c) => {
        out = c;
      },
    });
    let wasm: WasmRewriter | undefined;
    const rewriter = () => {
      if (wasm) return wasm;
      wasm = new WasmRewriter((chunk) => out.enqueue(chunk.slice()));
      for (const [selector, fn] of this.#handlers)
        wasm.on(selector, { element: (el) => fn(fastlyElement(el as unknown as WasmElement, selector)) });
      return wasm;
    };
    this.writable = new WritableStream({
      write: (chunk) => rewriter().write(chunk),
      close: async () => {
        await rewriter().end();
        wasm?.free();
        out.close();
      },
      abort: (reason) => {
        wasm?.free();
        out.error(reason);
      },
    });
  }

  onElement(selector: string, handler: (element: FastlyElementLike) => void): this {
    this.#handlers.push([selector, handler]);
    return this;
  }
}
