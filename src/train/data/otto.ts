/**
 * OTTO-style JSONL sessions: one `{"session": n, "events": [{"aid", "ts",
 * "type"}]}` per line, type `clicks`, `carts` or `orders`. Gives the sessions
 * (for next-item evaluation) and the session × item interactions (for top-k),
 * weighted by event type.
 * @module
 */
import type { Interactions, ReadReport, SessionData } from '../model-types.js';
import { toEpochMs } from './delimited.js';
import { DatasetError } from './errors.js';
import { createIdSpace, type IdSpace, InteractionsBuilder } from './id-space.js';
import { readLines } from './lines.js';
import { SessionBuilder } from './session-builder.js';

/** An order says more than a cart add, which says more than a click (OTTO's own scoring weighs them 1:3:6). */
export const OTTO_TYPE_WEIGHTS: Readonly<Record<string, number>> = { clicks: 1, carts: 3, orders: 6 };

export interface OttoOptions {
  space?: IdSpace;
  /** Event types kept in the sessions (default: all three). */
  sessionTypes?: ReadonlyArray<string>;
  /** Fold a repeated click on the item just clicked into the first (default false). */
  collapseRepeats?: boolean;
}

export interface OttoResult {
  sessions: SessionData;
  interactions: Interactions;
  /** `merged` counts repeated clicks folded in the sessions. */
  report: ReadReport;
  /** Repeated (session, item) pairs summed in the interactions. */
  pairsMerged: number;
}

export async function readOtto(path: string, opts: OttoOptions = {}): Promise<OttoResult> {
  const space = opts.space ?? createIdSpace();
  const pairs = new InteractionsBuilder(space);
  const sessions = new SessionBuilder(space.items);
  const keep = new Set(opts.sessionTypes ?? Object.keys(OTTO_TYPE_WEIGHTS));
  const report: ReadReport = { lines: 0, skipped: 0, merged: 0 };
  for await (const { text, n } of readLines(path)) {
    report.lines = n;
    if (text.trim() === '') {
      report.skipped++;
      continue;
    }
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (e) {
      throw new DatasetError(path, n, `not JSON (${(e as Error).message})`, { cause: e });
    }
    const { session, events } = (row ?? {}) as { session?: unknown; events?: unknown };
    if ((typeof session !== 'number' && typeof session !== 'string') || !Array.isArray(events))
      throw new DatasetError(path, n, 'expected {"session": id, "events": [...]}');
    const sid = String(session);
    events.forEach((e: unknown, j) => {
      const { aid, ts, type } = (e ?? {}) as { aid?: unknown; ts?: unknown; type?: unknown };
      const w = typeof type === 'string' ? OTTO_TYPE_WEIGHTS[type] : undefined;
      if ((typeof aid !== 'number' && typeof aid !== 'string') || typeof ts !== 'number' || w === undefined)
        throw new DatasetError(
          path,
          n,
          `event ${j}: expected {"aid", "ts": number, "type": clicks|carts|orders}, got ${JSON.stringify(e)}`,
        );
      const t = toEpochMs(ts);
      pairs.add(sid, String(aid), w, t);
      if (keep.has(type as string)) sessions.add(sid, String(aid), t);
    });
  }
  const built = sessions.build(opts.collapseRepeats ?? false);
  report.merged = built.merged;
  const { data, merged } = pairs.build('sum');
  return { sessions: built.data, interactions: data, report, pairsMerged: merged };
}
