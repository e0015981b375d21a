// The plain-JS floor of the peer benchmark: the same answers written by hand,
// with no engine and no rule language. What the work costs at the least.

import {
  BANNER_DEFAULT,
  BANNER_GROUPS,
  bannerId,
  CATEGORIES,
  EXPERIMENT,
  INTEREST_THRESHOLD,
  segmentId,
} from './peer-workload.mjs';
import { countViews } from './plain-views.mjs';

/** FNV-1a 32 over UTF-16 code units. */
function fnv1a32(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** GrowthBook's hash v2, the one Tessera's bucketing uses. */
function hashUnit(seed, id) {
  return (fnv1a32(String(fnv1a32(seed + id))) % 10000) / 10000;
}

/** The segment id of each category, by category index. */
export const SEGMENT_IDS = CATEGORIES.map(segmentId);
const BANNER_OF = CATEGORIES.map((c) => bannerId(BANNER_GROUPS.findIndex((g) => g.includes(c))));

/**
 * A plain side's answer from the segments it found and the index of the
 * strongest category (-1 for none): the banner of that category's group and
 * the hashed arm. Shared by the plain-JS sides (this one, peer-keyed-floor.mjs).
 */
export function plainAnswer(visitorId, segments, top) {
  const banner = top < 0 ? BANNER_DEFAULT : BANNER_OF[top];
  const arm = hashUnit(EXPERIMENT.key, visitorId) < 0.5 ? EXPERIMENT.arms[0] : EXPERIMENT.arms[1];
  return { segments, banner, arm };
}

export function floorSide(itemCategory) {
  const scratch = new Float64Array(CATEGORIES.length);
  const decide = (visitorId, aff, top) => {
    const segments = [];
    for (let c = 0; c < aff.length; c++) if (aff[c] >= INTEREST_THRESHOLD) segments.push(SEGMENT_IDS[c]);
    return plainAnswer(visitorId, segments, top);
  };
  return {
    name: 'plain JS',
    fromEvents(v, now) {
      const top = countViews(v.events, itemCategory, now, scratch);
      return decide(v.id, scratch, top);
    },
    prepare(v, now) {
      const aff = new Float64Array(CATEGORIES.length);
      return { aff, top: countViews(v.events, itemCategory, now, aff) };
    },
    fromPrepared(folded, v) {
      return decide(v.id, folded.aff, folded.top);
    },
  };
}
