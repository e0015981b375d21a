/**
 * Recommendation tiles from the site's `itemTemplate`, compiled once: the
 * template is split at its placeholders, and each catalog item's escaped
 * fields are kept, so a request only joins strings. Escaping a catalog's long
 * fields (image data URLs, titles) on every request cost more than the whole
 * decision.
 * @module
 */
import { escapeHtml } from './escape.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export interface TileRenderer {
  /** The tile of one item; `fields` are the item's raw fields (escaped once, then kept), `reason` is escaped per call. */
  render(id: string, fields: () => Record<string, string | number>, reason: string): string;
  /**
   * The same tile as pieces appended to `out`: the template's parts and the
   * kept escaped values, never joined, so a page writes them straight into
   * its body instead of building (and then flattening) one long string.
   */
  renderInto(out: string[], id: string, fields: () => Record<string, string | number>, reason: string): void;
}

export function compileItemTemplate(template: string, maxItems = 100_000): TileRenderer {
  const parts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, m.index));
    names.push(m[1]!);
    last = m.index! + m[0].length;
  }
  parts.push(template.slice(last));
  const escaped = new Map<string, string[]>();
  // Reasons repeat ("because you viewed X" for a whole list): escape each once.
  const reasons = new Map<string, string>();
  const escapeReason = (r: string): string => {
    let e = reasons.get(r);
    if (e === undefined) {
      e = escapeHtml(r);
      if (reasons.size >= 10_000) reasons.clear();
      reasons.set(r, e);
    }
    return e;
  };
  const valuesOf = (id: string, fields: () => Record<string, string | number>): string[] => {
    let values = escaped.get(id);
    if (!values) {
      const raw = fields();
      values = names.map((n) => (n === 'reason' || !Object.hasOwn(raw, n) ? '' : escapeHtml(String(raw[n]))));
      if (escaped.size >= maxItems) escaped.clear();
      escaped.set(id, values);
    }
    return values;
  };
  const renderInto: TileRenderer['renderInto'] = (out, id, fields, reason) => {
    const values = valuesOf(id, fields);
    out.push(parts[0]!);
    for (let i = 0; i < names.length; i++) {
      out.push(names[i] === 'reason' ? escapeReason(reason) : values[i]!, parts[i + 1]!);
    }
  };
  return {
    render(id, fields, reason) {
      const out: string[] = [];
      renderInto(out, id, fields, reason);
      return out.join('');
    },
    renderInto,
  };
}
