/**
 * The Workers `HTMLRewriter` API on Node, over lol-html compiled to
 * WebAssembly (`html-rewriter-wasm`). workerd has the class natively; this
 * one gives Node the same streaming behaviour: output bytes leave as soon as
 * lol-html emits them, never after buffering the whole document.
 * `#lol-html` (package.json `imports`) is html-rewriter-wasm, except in
 * Next's edge bundler (the `edge-light` condition): there, its glue
 * rewritten for that bundler (scripts/build-next-lol-html.mjs).
 * @module
 */
import { type DocumentHandlers, type ElementHandlers, HTMLRewriter as WasmRewriter } from '#lol-html';
import type { HTMLRewriterFactory } from '../../core/assemble/rewriter-types.js';

/** Statuses whose responses cannot carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

type Registration =
  | { kind: 'element'; selector: string; handlers: ElementHandlers }
  | { kind: 'document'; handlers: DocumentHandlers };

export class HTMLRewriter {
  readonly #registrations: Registration[] = [];

  on(selector: string, handlers: ElementHandlers): this {
    this.#registrations.push({ kind: 'element', selector, handlers });
    return this;
  }

  onDocument(handlers: DocumentHandlers): this {
    this.#registrations.push({ kind: 'document', handlers });
    return this;
  }

  transform(response: Response): Response {
    const headers = new Headers(response.headers);
    // The rewritten body has another length; a stale content-length would truncate it.
    headers.delete('content-length');
    const init = { status: response.status, statusText: response.statusText, headers };
    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) {
      return new Response(null, init);
    }
    return new Response(rewriteBody(response.body, [...this.#registrations]), init);
  }
}

/**
 * Pipes `input` through one wasm rewriter. Pull-driven, so a slow reader
 * slows the origin read (backpressure) instead of growing a buffer. The wasm
 * instance is freed exactly once: at the end, on error, or on cancel — and
 * never while a write is still running inside it (asyncify keeps its stack
 * there across async handlers).
 */
function rewriteBody(
  input: ReadableStream<Uint8Array>,
  registrations: Registration[],
): ReadableStream<Uint8Array> {
  const reader = input.getReader();
  let wasm: WasmRewriter | undefined;
  let inWasm = false;
  let cancelled = false;
  let emitted = 0;

  const free = (): void => {
    if (wasm === undefined) return;
    const instance = wasm;
    wasm = undefined;
    instance.free();
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      wasm = new WasmRewriter((chunk) => {
        if (cancelled) return;
        emitted++;
        controller.enqueue(chunk);
      });
      for (const r of registrations) {
        if (r.kind === 'element') wasm.on(r.selector, r.handlers);
        else wasm.onDocument(r.handlers);
      }
    },

    async pull(controller) {
      const before = emitted;
      try {
        // One input chunk may produce no output (e.g. it ends inside a tag), and a
        // pull that enqueues nothing is not called again: read until output appears.
        while (emitted === before) {
          const { done, value } = await reader.read();
          if (cancelled || wasm === undefined) return;
          inWasm = true;
          if (done) {
            await wasm.end();
            inWasm = false;
            free();
            if (!cancelled) controller.close();
            return;
          }
          await wasm.write(value);
          inWasm = false;
          if (cancelled) {
            free();
            return;
          }
        }
      } catch (error) {
        inWasm = false;
        free();
        reader.cancel(error).catch(() => {});
        throw error;
      }
    },

    async cancel(reason) {
      cancelled = true;
      // A write in flight frees the instance itself when it returns.
      if (!inWasm) free();
      await reader.cancel(reason).catch(() => {});
    },
  });
}

/** The factory the core's assembler takes, for Node. */
export const createNodeRewriter: HTMLRewriterFactory = () => new HTMLRewriter();
