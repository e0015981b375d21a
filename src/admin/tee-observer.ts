/**
 * One engine observer made of two: every call goes to the host's metrics
 * observer, then to the dashboard's live series (live-series.ts), so both
 * see the same requests, stages and ingest outcomes.
 * @module
 */
import type { EngineObserver } from '../core/observer.js';

type Call = (p?: unknown, q?: unknown, r?: unknown, s?: unknown) => void;

/** An observer that calls both: the host's metrics and the live series. */
export function teeObserver(
  a: Partial<EngineObserver> | undefined,
  b: Partial<EngineObserver>,
): Partial<EngineObserver> {
  if (!a) return b;
  const out: Partial<EngineObserver> = { ...a };
  for (const k of Object.keys(b) as Array<keyof EngineObserver>) {
    const fa = a[k] as Call | undefined;
    const fb = b[k] as Call;
    // Four parameters, the most any observer call takes: a rest parameter and a spread would build
    // an array per call, and the page path makes eight of these calls per page.
    (out as Record<string, Call>)[k] = fa
      ? (p, q, r, s) => {
          fa(p, q, r, s);
          fb(p, q, r, s);
        }
      : fb;
  }
  return out;
}
