/**
 * JSON paths for error messages (`segments[2].rule.all[1]`), so a config
 * author can find the offending rule without reading a stack trace.
 * @module
 */
import { TesseraError } from '../errors.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of `key` inside the value at `base`. */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** A 400 from the rule compiler, naming the path of the offending rule. */
export function rulesError(path: string, message: string): TesseraError {
  return new TesseraError(400, `[tessera] [rules] ${path}: ${message}`);
}
