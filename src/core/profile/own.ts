/**
 * Keys in a profile come from events (trait names, item ids, node ids), so a
 * key may well be `constructor` or `toString`. Every lookup goes through
 * `own` so an inherited property is never mistaken for a stored value; the
 * one key that would change an object's prototype, `__proto__`, never gets in
 * (text.ts drops it).
 * @module
 */
export function own<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
