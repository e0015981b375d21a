import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { EventLog, Logger, ModelStore } from '../../core/ports.js';
import { DEFAULT_RETRAIN } from '../../models/lifecycle-config.js';
import { createNodeTrainer } from './node-trainer.js';

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => {};
  return { warnings, debug: none, info: none, error: none, warn: (msg) => warnings.push(msg) };
}

describe('the retrain timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts one retrain at a time, and says once when one runs past ten ticks', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const logger = capturingLogger();
    // A log whose count never answers: the first tick's retrain never ends.
    const count = vi.fn(() => new Promise<number>(() => {}));
    const trainer = createNodeTrainer({
      engine: {} as Engine,
      events: { count } as unknown as EventLog,
      models: {} as ModelStore,
      catalog: [],
      segments: [],
      retrain: DEFAULT_RETRAIN,
      logger,
    });
    const stop = trainer.retrainEvery(1000);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(count).toHaveBeenCalledTimes(1);
    expect(logger.warnings).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/a retrain has been running for 3\d s; no other starts until it ends/);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(logger.warnings).toHaveLength(1);
    expect(count).toHaveBeenCalledTimes(1);
    stop();
  });
});
