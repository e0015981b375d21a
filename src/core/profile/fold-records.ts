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

/** In-object slots of a large record. */
const LARGE_SLOTS = 24;

/** Constructs an empty plain object; see the module note. */
const PlainRecord = function PlainRecord() {} as unknown as new () => Record<string, never>;
PlainRecord.prototype = Object.prototype;

// V8 sizes a constructor's objects by the first few it makes (slack tracking):
// make those with 10 keys, so every later record gets 10 in-object slots.
for (let i = 0; i < 8; i++) {
  const r: Record<string, number> = new PlainRecord();
  for (let k = 0; k < 10; k++) r[`k${k}`] = k;
}

/**
 * Constructs an empty plain object with room for 24 keys in-object, the
 * most an affinities record holds (PROFILE_LIMITS.affinities): filling one
 * never grows an out-of-object property array, which grows 3 slots at a
 * time, a new array each time (3 of them dropped per 20-key record). V8
 * sizes a constructor's objects by the `this.x =` assignments in its body
 * (never run here: `size` is never 1), then trims them to what the first few
 * objects use (slack tracking, below).
 */
const LargeRecord = function PlainRecord(this: Record<string, number>, size?: number) {
  if (size === 1) {
    this.a0 = 0;
    this.a1 = 0;
    this.a2 = 0;
    this.a3 = 0;
    this.a4 = 0;
    this.a5 = 0;
    this.a6 = 0;
    this.a7 = 0;
    this.a8 = 0;
    this.a9 = 0;
    this.b0 = 0;
    this.b1 = 0;
    this.b2 = 0;
    this.b3 = 0;
    this.b4 = 0;
    this.b5 = 0;
    this.b6 = 0;
    this.b7 = 0;
    this.b8 = 0;
    this.b9 = 0;
    this.c0 = 0;
    this.c1 = 0;
    this.c2 = 0;
    this.c3 = 0;
  }
} as unknown as new () => Record<string, never>;
LargeRecord.prototype = Object.prototype;
for (let i = 0; i < 8; i++) {
  const r: Record<string, number> = new LargeRecord();
  for (let k = 0; k < LARGE_SLOTS; k++) r[`k${k}`] = k;
}

/** A new, empty plain object that stays in fast mode with up to 25 keys; `large`: with 24 keys in-object. */
export function newRecord<T>(large = false): Record<string, T> {
  return (large ? new LargeRecord() : new PlainRecord()) as Record<string, T>;
}
