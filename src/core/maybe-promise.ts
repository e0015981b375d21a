/**
 * Steps that usually answer at once and only sometimes wait (a cached
 * profile, a verified cookie, a built shell) return the answer itself or a
 * promise of it, so the page path takes no await it does not need.
 * @module
 */

/** The answer, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether a step's answer is still to come. */
export function isPromise<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown }).then === 'function';
}
