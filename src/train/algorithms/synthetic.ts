/**
 * The generators now live in one module, src/train/data/synthetic.ts; this
 * re-export keeps tests that import them from here working until they move.
 * @module
 */
export {
  type ClusteredOptions,
  clusteredInteractions,
  type SequentialOptions,
  sequentialSessions,
} from '../data/synthetic.js';
