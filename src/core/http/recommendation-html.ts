/**
 * The visitor's part of a page: each recommendation slot's heading and
 * tiles, put into the holes of the variant's shell.
 * @module
 */
import { escapeHtml, renderShellChunks, type Shell } from '../assemble/index.js';
import type { Decision, RecommendedItem } from '../types.js';
import type { EngineState } from './engine-state.js';

/** The shell with the visitor's recommendation tiles in its holes, as chunks. */
export function renderPage(shell: Shell, decision: Decision, s: EngineState): Array<string | Uint8Array> {
  const holeHtml: Record<string, string[]> = {};
  for (const [slot, items] of Object.entries(decision.recommendations)) {
    if (items.length > 0) holeHtml[slot] = renderRecommendations(slot, items, decision, s);
  }
  return renderShellChunks(shell, holeHtml);
}

function renderRecommendations(
  slot: string,
  items: RecommendedItem[],
  decision: Decision,
  s: EngineState,
): string[] {
  const out: string[] = [slotHeading(slot, decision.listsForVisitor, s)];
  // The marker tells tests, analytics and the curious which lists were made for this visitor.
  out.push(
    decision.personalized
      ? '<div class="tiles" data-tessera-personalized="true">'
      : '<div class="tiles" data-tessera-source="popular">',
  );
  for (const r of items) s.tiles.renderInto(out, r.item, () => tileFields(r.item, s), r.reason);
  out.push('</div>');
  return out;
}

/** Per compiled site: each recommendation slot's escaped headings (personalized or not), built once. */
const headingMemos = new WeakMap<object, Map<string, string>>();

/** A list says what it is: "Popular now" for a newcomer, "Recommended for you" once it knows them. */
function slotHeading(slot: string, personalized: boolean, s: EngineState): string {
  let memo = headingMemos.get(s.compiled);
  if (!memo) {
    memo = new Map();
    headingMemos.set(s.compiled, memo);
  }
  const key = personalized ? slot : `${slot}\n`;
  let html = memo.get(key);
  if (html === undefined) {
    const def = s.compiled.site.slots[slot];
    const title =
      def?.kind === 'recommendations'
        ? personalized
          ? def.title
          : (def.anonymousTitle ?? def.title)
        : undefined;
    html = title ? `<h2>${escapeHtml(title)}</h2>` : '';
    memo.set(key, html);
  }
  return html;
}

function tileFields(id: string, s: EngineState): Record<string, string | number> {
  const p = s.compiled.catalog.get(id);
  return {
    id,
    title: p?.title ?? id,
    price: p ? p.price.toFixed(2) : '',
    category: p?.category ?? '',
    brand: p?.brand ?? '',
    image: p?.image ?? '',
  };
}
