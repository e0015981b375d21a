import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createNodeRewriter } from '../../runtimes/node/html-rewriter.js';
import { TesseraError } from '../errors.js';
import { buildShell, renderShell, type Shell, shellStream } from './shell.js';

const page = (body: string) =>
  `<!doctype html><html><head><title>Shop</title></head><body>${body}</body></html>`;

function streamOf(text: string, chunkSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('buildShell and renderShell', () => {
  const origin = page(
    '<header data-tessera-slot="hero"><h1>Welcome</h1></header>' +
      '<main><p>Product</p></main>' +
      '<aside data-tessera-slot="recs"><h2>Popular</h2><ul><li><a href="/p/1">One</a></li></ul></aside>' +
      '<footer>f</footer>',
  );

  it('fills variant slots and leaves a hole per visitor slot', async () => {
    const shell = await buildShell(
      origin,
      { variant: { hero: '<h1>Hi runner</h1>' }, holes: ['recs'] },
      createNodeRewriter,
    );
    expect(shell.holes).toEqual(['recs']);
    expect(shell.parts).toHaveLength(2);
    expect(shell.parts[0]).toContain('<header data-tessera-slot="hero"><h1>Hi runner</h1></header>');
    expect(shell.parts[0]).toMatch(/<aside data-tessera-slot="recs">$/);
    expect(shell.parts[1]).toMatch(/^<\/aside><footer>/);
    expect(renderShell(shell, { recs: '<ol><li>For you</li></ol>' })).toBe(
      page(
        '<header data-tessera-slot="hero"><h1>Hi runner</h1></header><main><p>Product</p></main>' +
          '<aside data-tessera-slot="recs"><ol><li>For you</li></ol></aside><footer>f</footer>',
      ),
    );
  });

  it('keeps the origin content of a hole, nested markup included, as its default', async () => {
    const shell = await buildShell(origin, { variant: {}, holes: ['recs'] }, createNodeRewriter);
    expect(shell.defaults).toEqual(['<h2>Popular</h2><ul><li><a href="/p/1">One</a></li></ul>']);
    expect(renderShell(shell, {})).toBe(origin);
  });

  it('fills several slots, and every element that carries a hole name', async () => {
    const html = page(
      '<div data-tessera-slot="a">A</div><div data-tessera-slot="r">R1</div>' +
        '<div data-tessera-slot="b">B</div><span data-tessera-slot="r">R2</span><div data-tessera-slot="other">O</div>',
    );
    const shell = await buildShell(html, { variant: { a: 'a!', b: 'b!' }, holes: ['r'] }, createNodeRewriter);
    expect(shell.holes).toEqual(['r', 'r']);
    expect(shell.defaults).toEqual(['R1', 'R2']);
    expect(renderShell(shell, { r: '<i>r</i>' })).toBe(
      page(
        '<div data-tessera-slot="a">a!</div><div data-tessera-slot="r"><i>r</i></div>' +
          '<div data-tessera-slot="b">b!</div><span data-tessera-slot="r"><i>r</i></span>' +
          '<div data-tessera-slot="other">O</div>',
      ),
    );
  });

  it('makes a single-part shell for a page without slots', async () => {
    const html = page('<p>nothing to personalize</p>');
    const shell = await buildShell(html, { variant: { hero: 'x' }, holes: ['recs'] }, createNodeRewriter);
    expect(shell).toMatchObject({ parts: [html], holes: [], defaults: [] });
    expect(renderShell(shell, { recs: 'ignored' })).toBe(html);
  });

  it('builds the same shell from a stream fed one byte at a time', async () => {
    const fills = { variant: { hero: '<b>é</b>' }, holes: ['recs'] };
    const fromString = await buildShell(origin, fills, createNodeRewriter);
    const fromStream = await buildShell(streamOf(origin, 1), fills, createNodeRewriter);
    expect(fromStream).toEqual(fromString);
  });

  it('refuses an origin page that contains the marker text', async () => {
    const hostile = page('<div data-tessera-slot="recs"><!--tessera:hole:0:end--></div>');
    await expect(buildShell(hostile, { variant: {}, holes: ['recs'] }, createNodeRewriter)).rejects.toThrow(
      TesseraError,
    );
  });

  it('refuses a streamed origin whose marker text straddles chunk boundaries', async () => {
    const hostile = page('<p>tessera:hole</p>');
    await expect(
      buildShell(streamOf(hostile, 3), { variant: {}, holes: [] }, createNodeRewriter),
    ).rejects.toThrow(/reserves/);
  });

  it('refuses a slot that is both a variant slot and a visitor slot', async () => {
    await expect(
      buildShell(origin, { variant: { recs: 'x' }, holes: ['recs'] }, createNodeRewriter),
    ).rejects.toThrow(/both a variant slot and a visitor slot/);
  });

  it('refuses variant content that contains the marker text', async () => {
    await expect(
      buildShell(
        origin,
        { variant: { hero: '<!--tessera:hole:0:start-->' }, holes: ['recs'] },
        createNodeRewriter,
      ),
    ).rejects.toThrow(TesseraError);
  });

  it('leaves an unclosed slot element as origin content and leaks no marker', async () => {
    // A truncated page: the slot's end tag never comes.
    const html = '<main><div data-tessera-slot="recs">never closed';
    const shell = await buildShell(html, { variant: {}, holes: ['recs'] }, createNodeRewriter);
    expect(shell.holes).toEqual([]);
    expect(shell.parts.join('')).toBe(html);
  });

  it('treats a visitor slot nested in another as part of the outer default', async () => {
    const html = page('<div data-tessera-slot="outer">a<div data-tessera-slot="inner">b</div>c</div>');
    const shell = await buildShell(html, { variant: {}, holes: ['outer', 'inner'] }, createNodeRewriter);
    expect(shell.holes).toEqual(['outer']);
    expect(shell.defaults).toEqual(['a<div data-tessera-slot="inner">b</div>c']);
    expect(renderShell(shell, {})).toBe(html);
  });

  it('drops a visitor slot inside a filled variant slot along with the replaced content', async () => {
    const html = page('<div data-tessera-slot="hero">x<div data-tessera-slot="recs">r</div></div>');
    const shell = await buildShell(html, { variant: { hero: 'new' }, holes: ['recs'] }, createNodeRewriter);
    expect(shell.holes).toEqual([]);
    expect(shell.parts).toEqual([page('<div data-tessera-slot="hero">new</div>')]);
  });

  it('counts UTF-8 bytes of parts and defaults', async () => {
    const html = '<p data-tessera-slot="r">é😀</p>';
    const shell = await buildShell(html, { variant: {}, holes: ['r'] }, createNodeRewriter);
    const encoded = new TextEncoder().encode([...shell.parts, ...shell.defaults].join(''));
    expect(shell.bytes).toBe(encoded.length);
  });

  it('renders any well-formed page unchanged when no slot gets content', async () => {
    const text = fc
      .stringMatching(/^[a-z <>&é]{0,12}$/)
      .map((s) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    const slot = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      inner: text,
      tag: fc.constantFrom('div', 'section'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, slot), { maxLength: 5 }), async (pieces) => {
        const html = page(
          pieces
            .map(([t, s]) => `${t}<${s.tag} data-tessera-slot="${s.name}"><b>${s.inner}</b></${s.tag}>`)
            .join(''),
        );
        const shell = await buildShell(html, { variant: {}, holes: ['a', 'b'] }, createNodeRewriter);
        expect(renderShell(shell, {})).toBe(html);
        expect(shell.holes.length).toBe(pieces.filter(([, s]) => s.name !== 'c').length);
      }),
      { numRuns: 40 },
    );
  });

  it('prints what a 30 KB page costs to build once and to render per request', async () => {
    const tile =
      '<li class="tile"><a href="/product/p-1"><img src="/i/p-1.jpg" alt="A shoe"><span>Trail shoe</span></a></li>';
    const html = page(
      `<header data-tessera-slot="hero"><h1>Welcome</h1></header><ul>${tile.repeat(260)}</ul>` +
        `<aside data-tessera-slot="recs"><ul>${tile.repeat(8)}</ul></aside><footer>${'x'.repeat(2000)}</footer>`,
    );
    const fills = { variant: { hero: '<h1>Hi runner</h1>' }, holes: ['recs'] };
    const runs = 20;
    let shell: Shell | undefined;
    let t = performance.now();
    for (let i = 0; i < runs; i++) shell = await buildShell(html, fills, createNodeRewriter);
    const buildMs = (performance.now() - t) / runs;
    const recs = { recs: `<ul>${tile.repeat(8)}</ul>` };
    const renders = 2000;
    // Encoding to bytes is part of the cost: it flattens V8's string ropes, as writing the response would.
    const encoder = new TextEncoder();
    t = performance.now();
    let length = 0;
    for (let i = 0; i < renders; i++) length += encoder.encode(renderShell(shell!, recs)).length;
    const renderMs = (performance.now() - t) / renders;
    console.log(
      `[shell] ${(html.length / 1024).toFixed(1)} KB page: buildShell ${buildMs.toFixed(3)} ms, ` +
        `renderShell + encode ${(renderMs * 1000).toFixed(1)} µs (${(buildMs / renderMs).toFixed(0)}× cheaper per request)`,
    );
    expect(html.length).toBeGreaterThan(30_000);
    expect(length).toBeGreaterThan(0);
  });
});

describe('shellStream', () => {
  const html = page('<div data-tessera-slot="r1">d1</div><p>mid</p><div data-tessera-slot="r2">d2</div>');
  const fills = { variant: {}, holes: ['r1', 'r2'] };

  it('produces the same bytes as renderShell', async () => {
    const shell = await buildShell(html, fills, createNodeRewriter);
    const holes = { r1: '<b>one</b>', r2: 'twö' };
    expect(await readAll(shellStream(shell, holes))).toBe(renderShell(shell, holes));
  });

  it('enqueues the first part at once, before hole content is ready', async () => {
    const shell = await buildShell(html, fills, createNodeRewriter);
    let resolveR1!: (s: string) => void;
    const r1 = new Promise<string>((resolve) => {
      resolveR1 = resolve;
    });
    const reader = shellStream(shell, { r1, r2: 'two' }).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(shell.parts[0]);
    resolveR1('one');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toBe(`one${shell.parts[1]}two${shell.parts[2]}`);
  });

  it('shows the default of a hole whose content failed, and reports it', async () => {
    const shell = await buildShell(html, fills, createNodeRewriter);
    const onHoleError = vi.fn();
    const out = await readAll(
      shellStream(shell, { r1: Promise.reject(new Error('recs down')) }, { onHoleError }),
    );
    expect(out).toBe(html);
    expect(onHoleError).toHaveBeenCalledWith('r1', expect.any(Error));
  });

  it('closes after the single part of a shell without holes', async () => {
    const shell = await buildShell(page('<p>static</p>'), fills, createNodeRewriter);
    expect(await readAll(shellStream(shell, {}))).toBe(page('<p>static</p>'));
  });
});
