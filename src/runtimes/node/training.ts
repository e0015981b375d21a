/**
 * What the Node app's training step takes and returns, and the small pieces
 * around it: the data window a model was trained on, the summary printed by
 * `tessera train`, and the health report of a node serving a fallback model.
 * @module
 */
import type { HealthReport, ModelSource } from '../../core/engine.js';
import type { EventLog } from '../../core/ports.js';
import type { LoggedEvent } from '../../core/types.js';
import { readAllEvents } from '../../logs/port.js';
import type { BuildModelStats } from '../../train/index.js';

export interface TrainOptions {
  /** A top-k model of the trainer (`ease`, `itemknn`, `als`, `bpr`, `ensemble`); default: the attribute/co-occurrence blend. */
  algorithm?: string;
  /** Items in each visitor's precomputed list (with `algorithm`; 0 = none). */
  perUser?: number;
  /** Register the model as `candidate` instead of serving it as `production` (the default). */
  candidate?: boolean;
  /** Build in a worker thread (the scheduled retrain does), so pages keep their latency. */
  worker?: boolean;
  /** Called before each step: `read log`, then the trainer's steps. */
  onStep?: (step: string, index: number, total: number) => void;
  log?: (line: string) => void;
}

export interface TrainResult {
  version: string;
  items: number;
  interactions: number;
  ms: number;
  stats: BuildModelStats;
  bytes: number;
}

/** Why the served model is not one trained on the event log. */
export type ModelFallback = ModelSource;

/** A node on a fallback model is degraded (`model`) until the retrain timer trains on the log. */
export function withModelFallback(report: HealthReport, fallback: ModelFallback | undefined): HealthReport {
  if (!fallback) return report;
  return { ...report, degraded: [...report.degraded, 'model'].sort(), model: fallback };
}

/** The events a model was trained on: how many, and the first and last event time. */
export function dataWindow(events: LoggedEvent[]): { count: number; first?: number; last?: number } {
  if (events.length === 0) return { count: 0 };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    first = Math.min(first, e.ts);
    last = Math.max(last, e.ts);
  }
  return { count: events.length, first, last };
}

export type DataWindow = ReturnType<typeof dataWindow>;

export function emptyWindow(): DataWindow {
  return { count: 0 };
}

/** The pages as they go by, counted into `window` (count, first and last event time). */
export async function* windowed(
  pages: AsyncIterable<LoggedEvent[]>,
  window: DataWindow,
): AsyncGenerator<LoggedEvent[]> {
  for await (const page of pages) {
    for (const e of page) {
      window.count++;
      window.first = Math.min(window.first ?? e.ts, e.ts);
      window.last = Math.max(window.last ?? e.ts, e.ts);
    }
    yield page;
  }
}

export function summaryOf(
  version: string,
  artifact: ArrayBuffer,
  stats: BuildModelStats,
  t0: number,
): TrainResult {
  return {
    version,
    items: stats.items,
    interactions: stats.interactions,
    ms: performance.now() - t0,
    stats,
    bytes: artifact.byteLength,
  };
}

export async function readAll(log: EventLog): Promise<LoggedEvent[]> {
  const all: LoggedEvent[] = [];
  for await (const e of readAllEvents(log)) all.push(e);
  return all;
}
