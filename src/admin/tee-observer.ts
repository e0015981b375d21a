/**
 * One engine observer made of two: every call goes to the host's metrics
 * observer, then to the dashboard's live series (live-series.ts), so both
 * see the same requests, stages and ingest outcomes.
 * @module
 */
import type { EngineObserver } from '../core/observer.js';

/** An observer that calls both: the host's metrics and the live series. */
export function teeObserver(
  a: Partial<EngineObserver> | undefined,
  b: Partial<EngineObserver>,
): Partial<EngineObserver> {
  if (!a) return b;
  const out: Partial<EngineObserver> = { ...a };
  for (const k of Object.keys(b) as Array<keyof EngineObserver>) {
    const fa = a[k] as ((...args: unknown[]) => void) | undefined;
    const fb = b[k] as (...args: unknown[]) => void;
    (out as Record<string, (...args: unknown[]) => void>)[k] = fa
      ? (...args) => {
          fa(...args);
          fb(...args);
        }
      : fb;
  }
  return out;
}
