/**
 * Field sanitising: what a form interaction or a search may reveal. The rule
 * is that a typed value never leaves the browser unless the site marked the
 * field `data-tessera-allow`, and a password never does.
 * @module
 */

/** A form field reduced to the facts the collector may look at. */
export interface FieldFacts {
  /** Lower-case tag name: input, select, textarea. */
  tag: string;
  /** The input's `type` attribute, if any. */
  type?: string | null | undefined;
  name?: string | null | undefined;
  id?: string | undefined;
  /** The owning form's id or name. */
  form?: string | null | undefined;
  /** True when the field carries `data-tessera-allow`. */
  allow: boolean;
  value?: string | undefined;
}

/** Allow-listed values are still capped, so a pasted essay stays on the page. */
export const MAX_VALUE_LENGTH = 200;

/** The kind of field: the input type (`email`, `checkbox`...) or the tag. */
export function fieldKind(tag: string, type: string | null | undefined): string {
  return tag === 'input' ? (type || 'text').toLowerCase() : tag;
}

/** Kinds whose value is never sent, whatever the markup says. */
const SECRET_KINDS: readonly string[] = ['password', 'hidden'];

/**
 * Props of a `form` event, or undefined when the field cannot be named
 * (nothing useful to report) or is a hidden input (not an interaction).
 */
export function formFieldProps(f: FieldFacts): Record<string, string> | undefined {
  const field = f.name || f.id;
  const kind = fieldKind(f.tag, f.type);
  if (!field || kind === 'hidden') return undefined;
  const props: Record<string, string> = { form: f.form || '', field, kind };
  if (f.allow && !SECRET_KINDS.includes(kind) && f.value !== undefined) {
    props.value = f.value.slice(0, MAX_VALUE_LENGTH);
  }
  return props;
}

/** Props of a `search` event: the query only when allow-listed, else its length. */
export function searchProps(query: string, allow: boolean): { query: string } | { length: number } {
  const q = query.trim();
  return allow ? { query: q.slice(0, MAX_VALUE_LENGTH) } : { length: q.length };
}
