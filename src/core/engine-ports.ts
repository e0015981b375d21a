/**
 * The stores behind an engine, for test helpers (test/helpers/engine-ports.ts)
 * that count what reached the log or the store. Not exported from the
 * package: hosts keep the ports they hand to `createEngine`, and everything
 * else goes through the engine's named operations.
 * @module
 */
import type { EventLog, ProfileStore } from './ports.js';

export interface EngineStores {
  /** The store as the engine reads it (waits for profiles written behind). */
  profiles: ProfileStore;
  events: EventLog;
}

const stores = new WeakMap<object, EngineStores>();

export function rememberStores(engine: object, s: EngineStores): void {
  stores.set(engine, s);
}

export function storesOf(engine: object): EngineStores {
  const s = stores.get(engine);
  if (!s) throw new Error('[tessera] [engine] not an engine made by createEngine');
  return s;
}
