/**
 * Page shells: the unit of the shell cache. A personalized page has variant
 * slots (content decided by segments and experiment arms, e.g. the hero) and
 * visitor slots (content per visitor, e.g. recommendations). The HTML
 * rewriter runs once per (page, variant) to build a shell: variant slots are
 * filled, visitor slots become holes. Serving a request is then string
 * concatenation of the shell's parts with the visitor's hole content — no
 * HTML parsing on the per-request path.
 * @module
 */
import { TesseraError } from '../errors.js';
import { holeMarker, MARKER_TEXT, markerScanner, splitAtMarkers } from './hole-markers.js';
import { type HTMLRewriterFactory, SLOT_ATTRIBUTE, SLOT_SELECTOR } from './rewriter-types.js';

export interface Shell {
  /** Static HTML around the holes; `parts.length === holes.length + 1`. */
  parts: string[];
  /** Slot name of each hole, in document order (a name repeats if several elements carry it). */
  holes: string[];
  /** The origin's own content of each hole, shown when no visitor content is given. */
  defaults: string[];
  /** UTF-8 size of parts and defaults, for the cache's byte budget. */
  bytes: number;
  /** Parts and defaults encoded once, on first use by `renderShellChunks`. */
  encoded?: { parts: Uint8Array[]; defaults: Uint8Array[] };
}

export interface ShellFills {
  /** Variant slot name → HTML. */
  variant: Record<string, string>;
  /** Names of visitor slots that become holes. */
  holes: readonly string[];
}

export async function buildShell(
  html: string | ReadableStream<Uint8Array>,
  fills: ShellFills,
  makeRewriter: HTMLRewriterFactory,
): Promise<Shell> {
  const holeNames = new Set(fills.holes);
  checkFills(fills, holeNames);
  let body = html;
  let scanner: ReturnType<typeof markerScanner> | undefined;
  if (typeof html === 'string') {
    if (html.includes(MARKER_TEXT)) throw hostileOrigin();
  } else {
    scanner = markerScanner();
    body = html.pipeThrough(scanner.stream);
  }

  const slotNames: string[] = [];
  const rewriter = makeRewriter().on(SLOT_SELECTOR, {
    element(el) {
      const name = el.getAttribute(SLOT_ATTRIBUTE);
      if (!name) return;
      const content = Object.hasOwn(fills.variant, name) ? fills.variant[name] : undefined;
      if (content !== undefined) {
        el.setInnerContent(content, { html: true });
      } else if (holeNames.has(name)) {
        const index = slotNames.push(name) - 1;
        el.prepend(holeMarker(index, 'start'), { html: true });
        el.append(holeMarker(index, 'end'), { html: true });
      }
    },
  });
  const input = new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  let rewritten: string;
  try {
    rewritten = await rewriter.transform(input).text();
  } catch (cause) {
    throw new TesseraError(502, '[tessera] [assemble] could not rewrite the origin page', { cause });
  }
  if (scanner?.found()) throw hostileOrigin();

  const { parts, holes, defaults } = splitAtMarkers(rewritten, slotNames);
  let bytes = 0;
  for (const s of parts) bytes += utf8Length(s);
  for (const s of defaults) bytes += utf8Length(s);
  return { parts, holes, defaults, bytes };
}

/** The page for one visitor: parts joined with hole content, or each hole's default. */
export function renderShell(shell: Shell, holeHtml: Record<string, string>): string {
  let out = shell.parts[0] ?? '';
  for (let i = 0; i < shell.holes.length; i++) {
    out += holeContent(shell, i, holeHtml) + (shell.parts[i + 1] ?? '');
  }
  return out;
}

const utf8 = new TextEncoder();

/**
 * The page as chunks: the static parts as bytes encoded once per shell, the
 * visitor's holes as strings. The bulk of a page is static, so a request
 * encodes only what is its own.
 */
export function renderShellChunks(
  shell: Shell,
  holeHtml: Record<string, string | readonly string[]>,
): Array<string | Uint8Array> {
  if (!shell.encoded) {
    shell.encoded = {
      parts: shell.parts.map((p) => utf8.encode(p)),
      defaults: shell.defaults.map((d) => utf8.encode(d)),
    };
  }
  const { parts, defaults } = shell.encoded;
  const out: Array<string | Uint8Array> = [parts[0]!];
  for (let i = 0; i < shell.holes.length; i++) {
    const name = shell.holes[i]!;
    const html = Object.hasOwn(holeHtml, name) ? holeHtml[name] : undefined;
    if (html === undefined) out.push(defaults[i]!);
    else if (typeof html === 'string') out.push(html);
    // Pieces are joined once into a flat string (`+=` would build a rope
    // that the encoder flattens again); one string costs the writer one call.
    else out.push(html.join(''));
    out.push(parts[i + 1]!);
  }
  return out;
}

export interface ShellStreamOptions {
  /** Called when a hole's promise rejects; the hole then shows its default. */
  onHoleError?: (slot: string, error: unknown) => void;
}

/**
 * The page as a byte stream. The first part (head, header, above-the-fold
 * markup) is enqueued at once, so the browser starts fetching CSS while hole
 * content is still being computed: values may be promises, awaited in order.
 */
export function shellStream(
  shell: Shell,
  holeHtml: Record<string, string | Promise<string>>,
  options: ShellStreamOptions = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(shell.parts[0] ?? ''));
      if (shell.holes.length === 0) controller.close();
    },
    async pull(controller) {
      const i = next++;
      const slot = shell.holes[i] ?? '';
      let content: string;
      try {
        content = await holeContent(shell, i, holeHtml);
      } catch (error) {
        options.onHoleError?.(slot, error);
        content = shell.defaults[i] ?? '';
      }
      controller.enqueue(encoder.encode(content + (shell.parts[i + 1] ?? '')));
      if (next >= shell.holes.length) controller.close();
    },
  });
}

function holeContent<T>(shell: Shell, i: number, holeHtml: Record<string, T>): T | string {
  const slot = shell.holes[i] ?? '';
  const given = Object.hasOwn(holeHtml, slot) ? holeHtml[slot] : undefined;
  return given ?? shell.defaults[i] ?? '';
}

function checkFills(fills: ShellFills, holeNames: ReadonlySet<string>): void {
  for (const [name, content] of Object.entries(fills.variant)) {
    if (holeNames.has(name)) {
      throw new TesseraError(
        500,
        `[tessera] [assemble] slot "${name}" is both a variant slot and a visitor slot`,
      );
    }
    if (content.includes(MARKER_TEXT)) {
      throw new TesseraError(500, `[tessera] [assemble] content of slot "${name}" contains "${MARKER_TEXT}"`);
    }
  }
}

function hostileOrigin(): TesseraError {
  return new TesseraError(
    502,
    `[tessera] [assemble] origin page contains "${MARKER_TEXT}", which Tessera reserves for its hole markers`,
  );
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair is one 4-byte code point.
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
