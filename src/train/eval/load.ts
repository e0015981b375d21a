/**
 * Files → the train/test pair a protocol needs: read in the detected format,
 * converted to the protocol's shape, split (or taken as given) and aligned
 * on one index space.
 * @module
 */
import { interactionsToSessions, sessionsToInteractions } from '../data/convert.js';
import { type DatasetFormat, detectFormat } from '../data/detect.js';
import { align, createIdSpace, type IdSpace } from '../data/id-space.js';
import { readOtto } from '../data/otto.js';
import { readRatings } from '../data/ratings.js';
import { readSessions } from '../data/sessions.js';
import type { Interactions, ReadReport, SessionData } from '../model-types.js';

export interface LoadedDataset {
  path: string;
  format: DatasetFormat;
  interactions?: Interactions;
  sessions?: SessionData;
  report: ReadReport;
}

export async function loadDataset(
  path: string,
  format: DatasetFormat | 'auto',
  space: IdSpace = createIdSpace(),
  /** Fold a click on the item just clicked into the first (session files; default false, as session-rec). */
  collapseRepeats = false,
): Promise<LoadedDataset> {
  const f = format === 'auto' ? await detectFormat(path) : format;
  if (f === 'ratings') {
    const r = await readRatings(path, { space });
    return { path, format: f, interactions: r.data, report: r.report };
  }
  if (f === 'sessions') {
    const r = await readSessions(path, { items: space.items, collapseRepeats });
    return { path, format: f, sessions: r.data, report: r.report };
  }
  const r = await readOtto(path, { space, collapseRepeats });
  return { path, format: f, interactions: r.interactions, sessions: r.sessions, report: r.report };
}

export const asInteractions = (d: LoadedDataset): Interactions =>
  d.interactions ?? sessionsToInteractions(d.sessions!);

export const asSessions = (d: LoadedDataset): SessionData =>
  d.sessions ?? interactionsToSessions(d.interactions!);

/** Train and test files read with one id space, in the top-k shape. */
export function alignedInteractions(train: LoadedDataset, test: LoadedDataset): [Interactions, Interactions] {
  return align(asInteractions(train), asInteractions(test));
}

/** Train and test files read with one item table, in the session shape. */
export function alignedSessions(
  train: LoadedDataset,
  test: LoadedDataset,
  space: IdSpace,
): [SessionData, SessionData] {
  const itemIds = space.items.ids.slice();
  return [
    { itemIds, sessions: asSessions(train).sessions },
    { itemIds, sessions: asSessions(test).sessions },
  ];
}
