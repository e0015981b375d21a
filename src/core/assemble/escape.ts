/**
 * HTML escaping and the tiny template language of recommendation tiles. The
 * site's `itemTemplate` is trusted markup; catalog fields are not (titles come
 * from feeds and merchants), so every field is escaped and there is no raw
 * form. Escaping does not make a `javascript:` URL safe in an `href`; the
 * catalog loader is the place to vet URLs.
 * @module
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIAL = /[&<>"']/g;

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(s: string): string {
  // Most strings have nothing to escape; skip the replace allocation then.
  SPECIAL.lastIndex = 0;
  if (!SPECIAL.test(s)) return s;
  return s.replace(SPECIAL, (c) => ENTITIES[c] ?? c);
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * Fills `{{name}}` placeholders with escaped field values. Unknown names
 * become empty, so a template written for richer items still renders for
 * items that lack a field.
 */
export function renderItemTemplate(template: string, fields: Record<string, string | number>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
    return value === undefined ? '' : escapeHtml(String(value));
  });
}
