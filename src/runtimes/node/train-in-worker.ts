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
import type { LoggedEvent } from '../../core/types.js';
import type { BuildModelOptions, BuildModelStats } from '../../train/index.js';
import type { FromWorker, ToWorker, WorkerBuildOptions } from './train-worker.js';

/** Events per message: each clone is well under a millisecond. */
export const EVENT_BATCH = 2000;

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

export async function buildModelInWorker(
  opts: BuildModelOptions & { events: readonly LoggedEvent[] },
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
    for (let i = 0; i < events.length; i += EVENT_BATCH) {
      worker.postMessage({ kind: 'events', events: events.slice(i, i + EVENT_BATCH) } satisfies ToWorker);
      await turn();
    }
    worker.postMessage({ kind: 'build', options } satisfies ToWorker);
    return await result;
  } finally {
    await worker.terminate();
  }
}
