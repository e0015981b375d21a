/**
 * The body of a training worker thread (node:worker_threads): it takes the
 * training options, then the events in batches, builds the model with the
 * same `buildModel` the main thread would run, and hands the artifact back
 * as a transferred buffer (no copy). Progress and log lines go back as
 * messages. Loaded by train-in-worker.ts; never imported.
 * @module
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { LoggedEvent } from '../../core/types.js';
import { type BuildModelOptions, buildModel } from '../../train/index.js';

export type WorkerBuildOptions = Omit<BuildModelOptions, 'events' | 'onStep' | 'log'>;

export type ToWorker =
  | { kind: 'events'; events: LoggedEvent[] }
  | { kind: 'build'; options: WorkerBuildOptions };

export type FromWorker =
  | { kind: 'step'; step: string; index: number }
  | { kind: 'log'; line: string }
  | { kind: 'done'; artifact: ArrayBuffer; stats: Awaited<ReturnType<typeof buildModel>>['stats'] }
  | { kind: 'error'; message: string; stack?: string };

const port = parentPort;
// On Linux a thread has its own nice value and setpriority(0) changes only the calling thread's:
// the trainer yields the CPU to the thread serving pages. (Elsewhere it would renice the whole process.)
if (port && process.platform === 'linux') {
  try {
    setPriority(19);
  } catch {
    // Not permitted here: train at the normal priority.
  }
}
if (port) {
  const events: LoggedEvent[] = [];
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'events') {
      for (const e of m.events) events.push(e);
      return;
    }
    buildModel({
      ...m.options,
      events,
      onStep: (step, index) => port.postMessage({ kind: 'step', step, index } satisfies FromWorker),
      log: (line) => port.postMessage({ kind: 'log', line } satisfies FromWorker),
    }).then(
      ({ artifact, stats }) =>
        port.postMessage({ kind: 'done', artifact, stats } satisfies FromWorker, [artifact]),
      (e: unknown) =>
        port.postMessage({
          kind: 'error',
          message: String((e as Error)?.message ?? e),
          ...((e as Error)?.stack ? { stack: (e as Error).stack } : {}),
        } satisfies FromWorker),
    );
  });
}
