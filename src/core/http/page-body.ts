/**
 * The body of a personalized page: the variant's shell with the visitor's
 * recommendation tiles in its holes. It is a pure function of the shell, the
 * lists, their headings and the tile template, and the lists themselves are
 * kept per profile version by the decision memo (one array per list while
 * the profile is unchanged). So a visitor who comes back to a page while
 * nothing changed gets the bytes rendered the first time, instead of tiles
 * joined and encoded again: the bulk of a page request's own work.
 *
 * The bodies are kept per visitor (the latest page only), bounded by count
 * and bytes, and tied to the decision memo they came from: when the memo is
 * replaced (an erasure), they go with it.
 * @module
 */
import { LruCache } from '../cache/index.js';
import type { DecisionMemo } from '../decision-memo.js';
import type { Decision, RecommendedItem } from '../types.js';
import { joinChunks } from './reply.js';

interface KeptBody {
  shell: object;
  /** The list of each recommendation slot, in the site's slot order (identity compared). */
  lists: Array<RecommendedItem[] | undefined>;
  listsForVisitor: boolean;
  personalized: boolean;
  /** What rendered it: the compiled site (headings) and the tile template. */
  renderer: object;
  tiles: object;
  bytes: Uint8Array;
}

const MAX_BODIES = 10_000;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const keptByMemo = new WeakMap<DecisionMemo, LruCache<string, KeptBody>>();

function keptBodies(memo: DecisionMemo): LruCache<string, KeptBody> {
  let kept = keptByMemo.get(memo);
  if (!kept) {
    kept = new LruCache({ maxEntries: MAX_BODIES, maxBytes: MAX_BODY_BYTES });
    keptByMemo.set(memo, kept);
  }
  return kept;
}

export interface PageBodyInput {
  /** Whose page: bodies are kept only for a visitor with a profile (their lists are memoized). */
  visitorId: string | undefined;
  shell: object;
  decision: Decision;
  /** The recommendation slots, in order. */
  recSlots: readonly string[];
  memo: DecisionMemo;
  renderer: object;
  tiles: object;
  /** The page as chunks (shell parts and tiles), when it has to be rendered. */
  render(): Array<string | Uint8Array>;
}

/**
 * The page's bytes, from the visitor's kept body when the same shell, lists
 * and template made it; else rendered (and kept when the lists are
 * memoized, that is when the decision used a profile).
 */
export function pageBody(input: PageBodyInput): Uint8Array | Array<string | Uint8Array> {
  const { decision, visitorId } = input;
  if (visitorId === undefined || !decision.personalized) return input.render();
  const kept = keptBodies(input.memo);
  const hit = kept.get(visitorId);
  if (hit && sameInputs(hit, input)) return hit.bytes;
  const bytes = joinChunks(input.render());
  const lists = input.recSlots.map((slot) => decision.recommendations[slot]);
  kept.set(
    visitorId,
    {
      shell: input.shell,
      lists,
      listsForVisitor: decision.listsForVisitor,
      personalized: decision.personalized,
      renderer: input.renderer,
      tiles: input.tiles,
      bytes,
    },
    bytes.byteLength,
  );
  return bytes;
}

function sameInputs(kept: KeptBody, input: PageBodyInput): boolean {
  const d = input.decision;
  if (
    kept.shell !== input.shell ||
    kept.renderer !== input.renderer ||
    kept.tiles !== input.tiles ||
    kept.listsForVisitor !== d.listsForVisitor ||
    kept.personalized !== d.personalized ||
    kept.lists.length !== input.recSlots.length
  )
    return false;
  for (let i = 0; i < input.recSlots.length; i++)
    if (kept.lists[i] !== d.recommendations[input.recSlots[i]!]) return false;
  return true;
}
