/**
 * Hole markers: how a page shell remembers where per-visitor content goes.
 * While rewriting, each visitor slot gets a start marker after its start tag
 * and an end marker before its end tag; afterwards the output is cut at the
 * markers, and what lay between them (the origin's own content of the slot)
 * is kept as the hole's default. Capturing that content from text handlers
 * instead would mean reassembling nested elements by hand.
 * @module
 */

/** The text every marker contains; origin pages must not contain it. */
export const MARKER_TEXT = 'tessera:hole';

export function holeMarker(index: number, edge: 'start' | 'end'): string {
  return `<!--${MARKER_TEXT}:${index}:${edge}-->`;
}

const MARKER_PATTERN = /<!--tessera:hole:(\d+):(start|end)-->/g;

export interface SplitPage {
  /** Static text around the holes; `parts.length === holes.length + 1`. */
  parts: string[];
  /** Slot name of each hole. */
  holes: string[];
  /** The origin's content of each hole, used when no visitor content is given. */
  defaults: string[];
}

interface Marker {
  index: number;
  start: boolean;
  from: number;
  to: number;
}

/**
 * Cuts rewritten HTML at the markers. Markers come in pairs by index, nested
 * like the elements that carry them. Two cases leave markers unpaired or
 * nested, and both resolve to "the origin content stays":
 * - an element without an end tag (`<p>` closed implicitly) gets a start
 *   marker but no end marker: that slot becomes no hole;
 * - a visitor slot inside another visitor slot: only the outer one becomes a
 *   hole, the inner one is part of its default.
 * Unused markers are removed, so no marker ever reaches a visitor.
 */
export function splitAtMarkers(html: string, slotNames: readonly string[]): SplitPage {
  const pairs = pairMarkers(html);
  const parts: string[] = [];
  const holes: string[] = [];
  const defaults: string[] = [];
  let cursor = 0;
  for (const [start, end] of outermost(pairs)) {
    parts.push(stripMarkers(html.slice(cursor, start.from)));
    defaults.push(stripMarkers(html.slice(start.to, end.from)));
    holes.push(slotNames[start.index] ?? '');
    cursor = end.to;
  }
  parts.push(stripMarkers(html.slice(cursor)));
  return { parts, holes, defaults };
}

function pairMarkers(html: string): Array<[Marker, Marker]> {
  const open: Marker[] = [];
  const pairs: Array<[Marker, Marker]> = [];
  for (const m of html.matchAll(MARKER_PATTERN)) {
    const marker: Marker = {
      index: Number(m[1]),
      start: m[2] === 'start',
      from: m.index,
      to: m.index + m[0].length,
    };
    if (marker.start) {
      open.push(marker);
      continue;
    }
    const k = open.findLastIndex((o) => o.index === marker.index);
    if (k < 0) continue;
    pairs.push([open[k]!, marker]);
    // Starts opened after this one and still open belong to unclosed elements inside it.
    open.length = k;
  }
  return pairs;
}

/** Pairs not contained in another pair, in document order. */
function outermost(pairs: Array<[Marker, Marker]>): Array<[Marker, Marker]> {
  const sorted = [...pairs].sort((a, b) => a[0].from - b[0].from);
  const result: Array<[Marker, Marker]> = [];
  let coveredUntil = -1;
  for (const pair of sorted) {
    if (pair[0].from < coveredUntil) continue;
    result.push(pair);
    coveredUntil = pair[1].to;
  }
  return result;
}

function stripMarkers(s: string): string {
  return s.includes(MARKER_TEXT) ? s.replace(MARKER_PATTERN, '') : s;
}

/**
 * A pass-through byte stream that reports whether the text contains
 * MARKER_TEXT, also when it straddles chunk boundaries.
 */
export function markerScanner(): { stream: TransformStream<Uint8Array, Uint8Array>; found: () => boolean } {
  const decoder = new TextDecoder();
  let tail = '';
  let found = false;
  const scan = (text: string): void => {
    if (found) return;
    const window = tail + text;
    if (window.includes(MARKER_TEXT)) found = true;
    tail = window.slice(-(MARKER_TEXT.length - 1));
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      scan(decoder.decode(chunk, { stream: true }));
      controller.enqueue(chunk);
    },
    flush() {
      scan(decoder.decode());
    },
  });
  return { stream, found: () => found };
}
