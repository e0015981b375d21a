/**
 * What a test may read behind an engine's public surface: its event log and
 * profile store (to count events, or check a store holds nothing after an
 * erasure). Test-only: shipped code goes through the engine's operations.
 * @module
 */
import type { Engine } from '../../src/core/engine.js';
import { type EngineStores, storesOf } from '../../src/core/engine-ports.js';

export function engineStores(engine: Engine): EngineStores {
  return storesOf(engine);
}
