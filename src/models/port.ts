/**
 * The model-store port. The interface lives in `core/ports.ts` (the core is written
 * against it and must not import a driver folder); it is re-exported here so
 * the port and its drivers sit together.
 * @module
 */
export type { ModelStore } from '../core/ports.js';
