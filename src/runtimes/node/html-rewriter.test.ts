import { HTMLRewriter as WasmRewriter } from 'html-rewriter-wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeRewriter, HTMLRewriter } from './html-rewriter.js';

const encoder = new TextEncoder();

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

function byteByByte(html: string): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(html);
  return streamOf(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
}

function fillSlots(fills: Record<string, string>): HTMLRewriter {
  return new HTMLRewriter().on('[data-tessera-slot]', {
    element(el) {
      const name = el.getAttribute('data-tessera-slot') ?? '';
      const html = fills[name];
      if (html !== undefined) el.setInnerContent(html, { html: true });
    },
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Node HTMLRewriter', () => {
  it('fills slot elements and keeps the rest of the page', async () => {
    const page =
      '<html><body><h1>Shop</h1><div data-tessera-slot="hero">default</div><p>end</p></body></html>';
    const out = await fillSlots({ hero: '<b>Run faster</b>' }).transform(new Response(page)).text();
    expect(out).toBe(
      '<html><body><h1>Shop</h1><div data-tessera-slot="hero"><b>Run faster</b></div><p>end</p></body></html>',
    );
  });

  it('copies status and headers but drops content-length', async () => {
    const page = '<p data-tessera-slot="a">x</p>';
    const res = new Response(page, {
      status: 203,
      statusText: 'Hmm',
      headers: { 'content-type': 'text/html', 'content-length': String(page.length), 'x-origin': 'yes' },
    });
    const out = fillSlots({ a: 'a much longer replacement' }).transform(res);
    expect(out.status).toBe(203);
    expect(out.statusText).toBe('Hmm');
    expect(out.headers.get('x-origin')).toBe('yes');
    expect(out.headers.get('content-type')).toBe('text/html');
    expect(out.headers.get('content-length')).toBeNull();
    expect(await out.text()).toBe('<p data-tessera-slot="a">a much longer replacement</p>');
  });

  it('passes bodiless responses through', async () => {
    const out = fillSlots({}).transform(new Response(null, { status: 304, headers: { etag: '"1"' } }));
    expect(out.status).toBe(304);
    expect(out.body).toBeNull();
    expect(out.headers.get('etag')).toBe('"1"');
  });

  it('handles tags split across chunks when fed one byte per chunk', async () => {
    const page =
      '<!doctype html><html><body><div class="x" data-tessera-slot="hero"><span>old</span></div>' +
      '<section data-tessera-slot="recs">é ✓ 😀</section></body></html>';
    const out = await fillSlots({ hero: '<i>new</i>', recs: '<ul><li>ü</li></ul>' })
      .transform(new Response(byteByByte(page)))
      .text();
    expect(out).toBe(
      '<!doctype html><html><body><div class="x" data-tessera-slot="hero"><i>new</i></div>' +
        '<section data-tessera-slot="recs"><ul><li>ü</li></ul></section></body></html>',
    );
  });

  it('streams: the first output arrives before the input has ended', async () => {
    let releaseTail!: () => void;
    const tailReleased = new Promise<void>((resolve) => {
      releaseTail = resolve;
    });
    let tailWritten = false;
    let step = 0;
    const source = new ReadableStream<Uint8Array>({
      async pull(controller) {
        step++;
        if (step === 1) controller.enqueue(encoder.encode('<html><head><title>t</title></head><body><p>'));
        else if (step === 2) {
          await tailReleased;
          tailWritten = true;
          controller.enqueue(encoder.encode('x</p></body></html>'));
        } else controller.close();
      },
    });
    const reader = fillSlots({}).transform(new Response(source)).body!.getReader();
    const first = await reader.read();
    expect(tailWritten).toBe(false);
    expect(new TextDecoder().decode(first.value)).toContain('<title>t</title>');
    releaseTail();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toContain('</html>');
  });

  it('runs async handlers', async () => {
    const rewriter = new HTMLRewriter().on('[data-tessera-slot]', {
      async element(el) {
        await new Promise((r) => setTimeout(r, 5));
        el.setInnerContent(`async ${el.getAttribute('data-tessera-slot')}`);
      },
    });
    const out = await rewriter
      .transform(new Response('<i data-tessera-slot="a"></i><i data-tessera-slot="b"></i>'))
      .text();
    expect(out).toBe('<i data-tessera-slot="a">async a</i><i data-tessera-slot="b">async b</i>');
  });

  it('can transform several responses with the same handlers, each with its own instance', async () => {
    const rewriter = fillSlots({ a: 'A' });
    const [one, two] = await Promise.all([
      rewriter.transform(new Response('<p data-tessera-slot="a">1</p>')).text(),
      rewriter.transform(new Response(byteByByte('<p data-tessera-slot="a">2</p>'))).text(),
    ]);
    expect(one).toBe('<p data-tessera-slot="a">A</p>');
    expect(two).toBe('<p data-tessera-slot="a">A</p>');
  });

  it('frees the wasm instance when the body is read to the end', async () => {
    const free = vi.spyOn(WasmRewriter.prototype, 'free');
    await fillSlots({}).transform(new Response('<p>x</p>')).text();
    expect(free).toHaveBeenCalledTimes(1);
  });

  it('frees the wasm instance and cancels the source when the reader cancels', async () => {
    const free = vi.spyOn(WasmRewriter.prototype, 'free');
    let sourceCancelled = false;
    let step = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        step++;
        // An endless page: only a cancel can stop it.
        controller.enqueue(encoder.encode(`<p>chunk ${step}</p>`));
      },
      cancel() {
        sourceCancelled = true;
      },
    });
    const reader = fillSlots({}).transform(new Response(source)).body!.getReader();
    await reader.read();
    await reader.cancel('client went away');
    expect(free).toHaveBeenCalledTimes(1);
    expect(sourceCancelled).toBe(true);
  });

  it('frees the instance after an in-flight async handler when cancelled mid-write', async () => {
    const free = vi.spyOn(WasmRewriter.prototype, 'free');
    let releaseHandler!: () => void;
    const handlerGate = new Promise<void>((resolve) => {
      releaseHandler = resolve;
    });
    let handlerEntered!: () => void;
    const entered = new Promise<void>((resolve) => {
      handlerEntered = resolve;
    });
    const rewriter = new HTMLRewriter().on('p', {
      async element() {
        handlerEntered();
        await handlerGate;
      },
    });
    const reader = rewriter.transform(new Response('<div>head</div><p>slow</p>')).body!.getReader();
    const pending = reader.read();
    await entered;
    const cancelled = reader.cancel();
    expect(free).not.toHaveBeenCalled();
    releaseHandler();
    await cancelled;
    await pending;
    await vi.waitFor(() => expect(free).toHaveBeenCalledTimes(1));
  });

  it('errors the body and frees the instance when a handler throws', async () => {
    const free = vi.spyOn(WasmRewriter.prototype, 'free');
    const rewriter = new HTMLRewriter().on('p', {
      element() {
        throw new Error('handler failed');
      },
    });
    await expect(rewriter.transform(new Response('<p>x</p>')).text()).rejects.toThrow();
    expect(free).toHaveBeenCalledTimes(1);
  });

  it('errors the body and frees the instance when the source errors', async () => {
    const free = vi.spyOn(WasmRewriter.prototype, 'free');
    let step = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (step++ === 0) controller.enqueue(encoder.encode('<p>'));
        else controller.error(new Error('origin reset'));
      },
    });
    await expect(fillSlots({}).transform(new Response(source)).text()).rejects.toThrow();
    expect(free).toHaveBeenCalledTimes(1);
  });

  it('createNodeRewriter makes a fresh rewriter each call', () => {
    expect(createNodeRewriter()).not.toBe(createNodeRewriter());
    expect(createNodeRewriter()).toBeInstanceOf(HTMLRewriter);
  });
});
