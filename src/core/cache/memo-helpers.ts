/**
 * Small helpers for the page path's memos (variant keys, header sets, field
 * unions): comparing the lists a memo was made from, and memoizing a value
 * per pair of arrays the compiled site owns.
 * @module
 */

/** The same strings in the same order. */
export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `make(a, b)`, made once per pair of arrays (by identity) and then reused.
 * For arrays fixed until the site is compiled again: weakly held, so a
 * recompiled site's old arrays and their values go with it.
 */
export function memoPerPair<R>(
  make: (a: readonly string[], b: readonly string[]) => R,
): (a: readonly string[], b: readonly string[]) => R {
  const byFirst = new WeakMap<readonly string[], WeakMap<readonly string[], R>>();
  return (a, b) => {
    let bySecond = byFirst.get(a);
    if (bySecond === undefined) {
      bySecond = new WeakMap();
      byFirst.set(a, bySecond);
    }
    let value = bySecond.get(b);
    if (value === undefined) {
      value = make(a, b);
      bySecond.set(b, value);
    }
    return value;
  };
}
