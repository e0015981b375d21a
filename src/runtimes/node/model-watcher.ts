/**
 * Hot swap of the model: polls the model store every few seconds and, when
 * it holds a new version, loads it and swaps it into the engine. The load
 * (`readArtifact`: views over the buffer, no per-item parsing, a few ms for
 * 100,000 items) runs on the timer, never inside a request; the swap is one
 * assignment, so a request sees the old model or the new one, never a mix,
 * and never waits. The production alias is read first, so an idle server does
 * not re-read megabytes every poll; for the file store a `stat` of its files
 * tells even that.
 * @module
 */
import { stat } from 'node:fs/promises';
import type { Engine } from '../../core/engine.js';
import type { Logger, ModelStore } from '../../core/ports.js';
import { artifactVersion } from '../../core/recommend/index.js';

export const DEFAULT_MODEL_POLL_MS = 2000;

export interface ModelWatcherOptions {
  store: ModelStore;
  engine: Engine;
  logger: Logger;
  intervalMs?: number;
  /** The files behind a file store: checked with `stat` before reading. */
  paths?: string[];
}

export interface ModelWatcher {
  /** One poll now; resolves to the version swapped in, or undefined when nothing changed. */
  check(): Promise<string | undefined>;
  stop(): void;
}

export function watchModels(o: ModelWatcherOptions): ModelWatcher {
  let lastStamp = '';
  let running: Promise<string | undefined> | undefined;

  async function poll(): Promise<string | undefined> {
    if (o.paths) {
      const stats = await Promise.all(o.paths.map((p) => stat(p).catch(() => undefined)));
      const stamp = stats.map((s) => (s ? `${s.mtimeMs}:${s.size}:${s.ino}` : '')).join('|');
      if (stamp === lastStamp) return undefined;
      lastStamp = stamp;
    }
    const { production } = await o.store.aliases();
    if (production !== undefined && production === o.engine.models.current()?.version) return undefined;
    const buf = await o.store.get();
    if (!buf) return undefined;
    const version = artifactVersion(buf);
    if (version === o.engine.models.current()?.version) return undefined;
    o.engine.models.swap(buf);
    o.logger.info(`[tessera] model ${version} loaded from the ${o.store.name} model store`);
    return version;
  }

  // One poll at a time: a slow disk must not stack reads.
  const check = () => {
    running ??= poll().finally(() => {
      running = undefined;
    });
    return running;
  };
  const intervalMs = o.intervalMs ?? DEFAULT_MODEL_POLL_MS;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          check().catch((e) => o.logger.warn('[tessera] model reload failed', { error: String(e) }));
        }, intervalMs)
      : undefined;
  timer?.unref();
  return {
    check,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
