import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../core/config.js';
import { artifactVersion } from '../../core/recommend/index.js';
import type { LoggedEvent } from '../../core/types.js';
import { createMemoryEventLog } from '../../logs/memory.js';
import { buildModel } from '../../train/index.js';
import { buildModelInWorker, EVENT_BATCH, logPages } from './train-in-worker.js';
import { dataWindow, emptyWindow, windowed } from './training.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as CatalogItem[];

describe('training in a worker thread', () => {
  it('builds the same artifact as the main thread, from events sent over in batches', {
    timeout: 60_000,
  }, async () => {
    const events: LoggedEvent[] = [];
    for (let i = 0; i < EVENT_BATCH * 2 + 17; i++) {
      const ts = 1_700_000_000_000 + i * 1000;
      events.push({
        id: `e${i}`,
        type: 'view',
        item: catalog[(i * 7) % 40]!.id,
        ts,
        visitor: `v${Math.floor(i / 5)}`,
        node: 'n1',
        received: ts,
      });
    }
    const opts = { catalog, now: 1_700_000_000_000 };
    const steps: string[] = [];
    const inWorker = await buildModelInWorker({ ...opts, events, onStep: (s) => steps.push(s) });
    const inThread = await buildModel({ ...opts, events });
    expect(artifactVersion(inWorker.artifact)).toBe(artifactVersion(inThread.artifact));
    expect(inWorker.stats).toEqual(inThread.stats);
    expect(steps.length).toBeGreaterThan(0);
    // Streamed page by page from a log, as the scheduled retrain does.
    const log = createMemoryEventLog();
    await log.append(events);
    const window = emptyWindow();
    const streamed = await buildModelInWorker({ ...opts, events: windowed(logPages(log), window) });
    expect(artifactVersion(streamed.artifact)).toBe(artifactVersion(inThread.artifact));
    expect(window).toEqual(dataWindow(events));
  });

  it('reports a failure in the worker as an error', { timeout: 60_000 }, async () => {
    await expect(buildModelInWorker({ catalog, events: [], algorithm: 'no-such-algorithm' })).rejects.toThrow(
      /\[tessera\] \[train\] worker: .*no-such-algorithm/,
    );
  });
});
