/**
 * Public records (key → value) the fold builds for snapshots, made so V8
 * keeps them in fast mode. A record made with `{}` and filled by computed
 * keys turns into a dictionary past about 17 keys (4 in-object slots, then a
 * soft limit on out-of-object ones): slow to build (the object is rebuilt as
 * a dictionary on the way) and about 10× slower to walk with `for…in`, which
 * the codec, merge and the decision do. A record made by a constructor whose
 * prototype is `Object.prototype` has 10 in-object slots, enough to stay fast
 * up to 25 keys, the most a part holds (PROFILE_LIMITS.affinities). To anyone
 * reading it, it is a plain object: same prototype, same `constructor`, same
 * own properties, same JSON.
 * @module
 */

/** Constructs an empty plain object; see the module note. */
const PlainRecord = function PlainRecord() {} as unknown as new () => Record<string, never>;
PlainRecord.prototype = Object.prototype;

// V8 sizes a constructor's objects by the first few it makes (slack tracking):
// make those with 10 keys, so every later record gets 10 in-object slots.
for (let i = 0; i < 8; i++) {
  const r: Record<string, number> = new PlainRecord();
  for (let k = 0; k < 10; k++) r[`k${k}`] = k;
}

/** A new, empty plain object that stays in fast mode with up to 25 keys. */
export function newRecord<T>(): Record<string, T> {
  return new PlainRecord() as Record<string, T>;
}
