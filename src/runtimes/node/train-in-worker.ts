/**
 * Training off the main thread: `buildModel` runs in a worker thread, so a
 * retrain of seconds of CPU does not stand in front of page requests. The
 * events go over in small batches with a turn of the event loop between
 * them (cloning them all at once would itself be a pause), the artifact
 * comes back as a transferred buffer, and the worker ends with the build.
 *
 * From the built package the worker is `train-worker.js` beside this file;
 * from the TypeScript sources (tests, `tsx`) it is the `.ts` file, loaded
 * through tsx (a dev dependency, never reached from `dist`).
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventLog } from '../../core/ports.js';
import type { LoggedEvent } from '../../core/types.js';
import type { BuildModelOptions, BuildModelStats } from '../../train/index.js';
import type { FromWorker, ToWorker, WorkerBuildOptions } from './train-worker.js';

/** Events per message (and per log page read for it): each read and clone is a short pause. */
export const EVENT_BATCH = 500;

interface TsxPackage {
  exports: { './esm/api': { import: { default: string } } };
}

/** The worker: the built `.js` file, or from the sources the `.ts` file behind tsx's loader. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./train-worker.js', import.meta.url));
  // Loader flags in a worker's execArgv are not honoured on every Node 20: register tsx in the worker itself.
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = (JSON.parse(readFileSync(pkg, 'utf8')) as TsxPackage).exports['./esm/api'].import.default;
  const tsx = pathToFileURL(join(dirname(pkg), api)).href;
  const script = new URL('./train-worker.ts', import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); });`,
    { eval: true },
  );
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Pages of an event log, read with a turn of the event loop between pages (a page read may not yield). */
export async function* logPages(
  log: Pick<EventLog, 'read'>,
  pageSize = EVENT_BATCH,
): AsyncGenerator<LoggedEvent[]> {
  let cursor = 0;
  for (;;) {
    const page = await log.read(cursor, pageSize);
    if (page.events.length > 0) yield page.events;
    if (page.events.length === 0 || page.cursor === cursor) return;
    cursor = page.cursor;
    await turn();
  }
}

async function* batches(events: readonly LoggedEvent[]): AsyncGenerator<LoggedEvent[]> {
  for (let i = 0; i < events.length; i += EVENT_BATCH) yield events.slice(i, i + EVENT_BATCH);
}

/**
 * `buildModel` in a worker. `events`: an array, or pages as they are read
 * from the log (`logPages`), so the main thread never holds the whole log.
 */
export async function buildModelInWorker(
  opts: Omit<BuildModelOptions, 'events'> & {
    events: readonly LoggedEvent[] | AsyncIterable<LoggedEvent[]>;
  },
): Promise<{ artifact: ArrayBuffer; stats: BuildModelStats }> {
  const { events, onStep, log, ...rest } = opts;
  const options: WorkerBuildOptions = rest;
  const worker = startWorker();
  try {
    const result = new Promise<{ artifact: ArrayBuffer; stats: BuildModelStats }>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.kind === 'step') onStep?.(m.step as never, m.index);
        else if (m.kind === 'log') log?.(m.line);
        else if (m.kind === 'done') resolve({ artifact: m.artifact, stats: m.stats });
        else reject(Object.assign(new Error(`[tessera] [train] worker: ${m.message}`), { stack: m.stack }));
      });
      worker.on('error', (e) => reject(new Error('[tessera] [train] worker failed', { cause: e })));
      worker.on('exit', (code) => reject(new Error(`[tessera] [train] worker exited with ${code}`)));
    });
    const pages = Array.isArray(events) ? batches(events) : (events as AsyncIterable<LoggedEvent[]>);
    for await (const page of pages) {
      worker.postMessage({ kind: 'events', events: page } satisfies ToWorker);
      await turn();
    }
    worker.postMessage({ kind: 'build', options } satisfies ToWorker);
    return await result;
  } finally {
    await worker.terminate();
  }
}
