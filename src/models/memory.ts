/**
 * The in-memory model store (tests, ephemeral runs).
 * @module
 */
import type { ModelStore } from '../core/ports.js';

/** A model store that keeps the artifact in memory (tests, ephemeral runs). */
export function createMemoryModelStore(initial?: ArrayBuffer): ModelStore {
  // Copies on the way in and out: an artifact is immutable once published,
  // whatever the caller later does with its buffer.
  let artifact = initial?.slice(0);
  return {
    name: 'memory',
    async get() {
      return artifact?.slice(0);
    },
    async put(next) {
      artifact = next.slice(0);
    },
  };
}
