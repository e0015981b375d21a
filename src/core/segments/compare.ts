/**
 * The comparison part of a rule leaf (`eq`, `neq`, `in`, `gt`, `gte`, `lt`,
 * `lte`), compiled once into a predicate over one scalar. Strings compare
 * case-insensitively; a number and a numeric string are equal (`42` and
 * `"42"`), because traits arrive as whatever the form sent. A missing value
 * (`undefined`) fails every comparison, `neq` included: write
 * `{ "not": { ..., "eq": x } }` to match "unknown or different".
 * @module
 */
import { childPath, rulesError } from './path.js';

export type Scalar = string | number | boolean | undefined;
export type ScalarTest = (value: Scalar) => boolean;

export const COMPARE_KEYS: ReadonlySet<string> = new Set(['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte']);

/** A rule-side constant, pre-normalised so the hot path neither lower-cases nor parses it. */
interface Target {
  str: string;
  num: number | undefined;
  bool: boolean | undefined;
}

function toTarget(x: string | number | boolean): Target {
  if (typeof x === 'string') {
    const lower = x.toLowerCase();
    const n = x.trim() === '' ? Number.NaN : Number(x);
    const bool = lower === 'true' ? true : lower === 'false' ? false : undefined;
    return { str: lower, num: Number.isFinite(n) ? n : undefined, bool };
  }
  if (typeof x === 'number') return { str: String(x), num: x, bool: undefined };
  return { str: String(x), num: undefined, bool: x };
}

/**
 * `a.toLowerCase() === lowerB` without allocating for ASCII input; falls back
 * to `toLowerCase` at the first non-ASCII character (whose lower case may
 * change the length).
 */
export function equalsIgnoreCase(a: string, lowerB: string): boolean {
  const n = Math.min(a.length, lowerB.length);
  for (let i = 0; i < n; i++) {
    let c = a.charCodeAt(i);
    if (c > 127) return a.toLowerCase() === lowerB;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerB.charCodeAt(i)) return false;
  }
  if (a.length === lowerB.length) return true;
  // Same prefix, different length: only a non-ASCII tail of `a` could still match.
  for (let i = n; i < a.length; i++) if (a.charCodeAt(i) > 127) return a.toLowerCase() === lowerB;
  return false;
}

function isLowerAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || (c >= 65 && c <= 90)) return false;
  }
  return true;
}

function equals(value: Scalar, t: Target): boolean {
  if (typeof value === 'string') return equalsIgnoreCase(value, t.str);
  if (typeof value === 'number') return t.num !== undefined && value === t.num;
  if (typeof value === 'boolean') return t.bool !== undefined && value === t.bool;
  return false;
}

function toNumber(value: Scalar): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function isScalar(x: unknown): x is string | number | boolean {
  return typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
}

function compileOne(op: string, arg: unknown, path: string): ScalarTest {
  switch (op) {
    case 'eq':
    case 'neq': {
      if (!isScalar(arg)) throw rulesError(path, 'expected a string, number or boolean');
      const t = toTarget(arg);
      return op === 'eq' ? (v) => equals(v, t) : (v) => v !== undefined && !equals(v, t);
    }
    case 'in': {
      if (!Array.isArray(arg)) throw rulesError(path, 'expected an array of strings or numbers');
      const targets = arg.map((x, i) => {
        if (typeof x !== 'string' && !(typeof x === 'number' && Number.isFinite(x))) {
          throw rulesError(childPath(path, i), 'expected a string or number');
        }
        return toTarget(x);
      });
      // A string without upper case or non-ASCII is its own lower case: one
      // set lookup answers for it (a slot's `top` rules hit this per decision).
      const lower = new Set(targets.map((t) => t.str));
      return (v) => {
        if (typeof v === 'string' && isLowerAscii(v)) return lower.has(v);
        for (let i = 0; i < targets.length; i++) if (equals(v, targets[i]!)) return true;
        return false;
      };
    }
    default: {
      if (typeof arg !== 'number' || !Number.isFinite(arg))
        throw rulesError(path, 'expected a finite number');
      const bound = arg;
      if (op === 'gt') return (v) => toNumber(v) > bound;
      if (op === 'gte') return (v) => toNumber(v) >= bound;
      if (op === 'lt') return (v) => toNumber(v) < bound;
      return (v) => toNumber(v) <= bound;
    }
  }
}

/**
 * Compile the comparison keys of `rule` (every given bound must hold). With
 * no comparison key, `whenNone` decides (each leaf kind has its own meaning
 * of "just present").
 */
export function compileCompare(
  rule: Record<string, unknown>,
  path: string,
  whenNone: ScalarTest,
): ScalarTest {
  const tests: ScalarTest[] = [];
  for (const key of Object.keys(rule)) {
    if (COMPARE_KEYS.has(key)) tests.push(compileOne(key, rule[key], childPath(path, key)));
  }
  if (tests.length === 0) return whenNone;
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [ScalarTest, ScalarTest];
    return (v) => a(v) && b(v);
  }
  return (v) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(v)) return false;
    return true;
  };
}

/** Present: set, non-empty, not false. The meaning of a context or trait leaf without comparison. */
export const isPresent: ScalarTest = (v) => v !== undefined && v !== '' && v !== false;

/**
 * The comparison of a rule as an interval, when it is only numeric bounds
 * (`gt`, `gte`, `lt`, `lte`), for a caller that compares numbers inline:
 * for a number `v`, `compileCompare`'s test is then exactly
 * `(minStrict ? v > min : v >= min) && (maxStrict ? v < max : v <= max)`.
 * Undefined when the rule has another comparison key or none.
 */
export interface NumericBounds {
  min: number;
  minStrict: boolean;
  max: number;
  maxStrict: boolean;
}

export function numericBoundsOf(rule: Record<string, unknown>): NumericBounds | undefined {
  const b: NumericBounds = {
    min: Number.NEGATIVE_INFINITY,
    minStrict: false,
    max: Number.POSITIVE_INFINITY,
    maxStrict: false,
  };
  let any = false;
  for (const key of Object.keys(rule)) {
    if (!COMPARE_KEYS.has(key)) continue;
    const x = rule[key];
    if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
    any = true;
    // Every bound must hold: keep the tightest on each side.
    if (key === 'gt' || key === 'gte') {
      const strict = key === 'gt';
      if (x > b.min || (x === b.min && strict)) {
        b.min = x;
        b.minStrict = strict;
      }
    } else if (key === 'lt' || key === 'lte') {
      const strict = key === 'lt';
      if (x < b.max || (x === b.max && strict)) {
        b.max = x;
        b.maxStrict = strict;
      }
    } else return undefined;
  }
  return any ? b : undefined;
}
