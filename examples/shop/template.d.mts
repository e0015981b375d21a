/**
 * Types of `template.mjs` for TypeScript callers.
 * @module
 */
export type TemplateValues = Record<string, string | number | boolean>;
export type CompiledTemplate = (values: TemplateValues) => string;
/** Escape text for HTML content and quoted attribute values. */
export function escapeHtml(value: unknown): string;
/** `{{name}}` escaped, `{{{name}}}` raw; rendering throws on a missing value. */
export function compileTemplate(source: string, name?: string): CompiledTemplate;
