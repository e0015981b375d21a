/**
 * The shop's tiny template language: `{{name}}` inserts a value HTML-escaped,
 * `{{{name}}}` inserts a trusted fragment as it is. Templates compile once
 * into a list of literal parts and holes, so rendering is a join, not a
 * regex pass per request.
 * @module
 */

/** @type {Record<string, string>} */
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escape text for HTML content and quoted attribute values alike.
 * @param {unknown} value
 * @returns {string}
 */
export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Triple braces first, so `{{{x}}}` is never read as `{` + `{{x}}` + `}`. */
const HOLE = /\{\{\{\s*([\w-]+)\s*\}\}\}|\{\{\s*([\w-]+)\s*\}\}/g;

/**
 * @typedef {Record<string, string | number | boolean>} TemplateValues
 * @typedef {(values: TemplateValues) => string} CompiledTemplate
 */

/**
 * Compile a template. Rendering throws when a placeholder has no value:
 * a silently empty hole in a page is a bug that is hard to see.
 * @param {string} source
 * @param {string} [name] used in error messages
 * @returns {CompiledTemplate}
 */
export function compileTemplate(source, name = 'template') {
  /** @type {string[]} */
  const literals = [];
  /** @type {Array<{ key: string, raw: boolean }>} */
  const holes = [];
  let last = 0;
  for (const match of source.matchAll(HOLE)) {
    literals.push(source.slice(last, match.index));
    const raw = match[1] !== undefined;
    holes.push({ key: match[1] ?? match[2] ?? '', raw });
    last = match.index + match[0].length;
  }
  literals.push(source.slice(last));

  return (values) => {
    let out = literals[0] ?? '';
    for (let i = 0; i < holes.length; i++) {
      const hole = /** @type {{ key: string, raw: boolean }} */ (holes[i]);
      const value = values[hole.key];
      if (value === undefined) {
        throw new Error(`[tessera] [shop] ${name}: no value for {{${hole.key}}}`);
      }
      out += (hole.raw ? String(value) : escapeHtml(value)) + literals[i + 1];
    }
    return out;
  };
}
