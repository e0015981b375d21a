/**
 * The profile a decision reads, without ever blocking past its budget: the
 * profile this node just built from edge-observed events, then its cached
 * copy (unless the visitor brings a digest cookie sealed elsewhere, which may
 * be newer), then the cookie digest, then the store within `storeBudgetMs`.
 * A store that is slow or down never fails a page: it decides without the
 * profile, and the source says why (`timeout`, `unavailable`).
 * @module
 */
import type { Logger } from './ports.js';
import { profileFromDigest } from './profile/index.js';
import type { CachedProfile, ProfileSource } from './profile-service-types.js';
import type { Profile, ProfileDigest } from './types.js';

/** What a decision's read needs of the profile service. */
export interface DecisionReadParts {
  nodeId: string;
  storeBudgetMs: number;
  logger: Logger;
  now: () => number;
  /** Profiles with edge-observed events still being stored: the newest this node has. */
  observed: ReadonlyMap<string, Profile>;
  /** The copy this node holds in memory (cached, or written behind). */
  cached(id: string): CachedProfile | undefined;
  /** The last digest cookie this node sealed for `id`: one brought back needs no unseal. */
  sealedHere(id: string): string | undefined;
  readDigest(id: string, cookie: string | undefined): Promise<ProfileDigest | undefined>;
  /** Drop this node's copy (a newer state lives elsewhere). */
  dropCached(id: string): void;
  /** Read through to the store and fill the cache. */
  load(id: string): Promise<CachedProfile | undefined>;
}

/** The profile a decision reads, and where it came from. */
export interface DecisionRead {
  entry: CachedProfile | undefined;
  source: ProfileSource;
}

/**
 * The profile for a decision, answered without a promise when this node's
 * memory answers (an observed profile, or a cached copy the cookie does not
 * contradict): the page path's usual case, one await less per page.
 */
export function profileForDecision(
  p: DecisionReadParts,
  id: string,
  digestCookie: string | undefined,
  log: Logger = p.logger,
): DecisionRead | Promise<DecisionRead> {
  const observed = p.observed.get(id);
  if (observed) return { entry: { profile: observed, changedAt: p.now() }, source: 'cache' };
  const hit = p.cached(id);
  if (hit && (!digestCookie || p.sealedHere(id) === digestCookie)) return { entry: hit, source: 'cache' };
  return fromDigestOrStore(p, id, digestCookie, log, hit);
}

/** The rest of the read, once memory did not answer: the digest cookie, then the store within its budget. */
async function fromDigestOrStore(
  p: DecisionReadParts,
  id: string,
  digestCookie: string | undefined,
  log: Logger,
  hit: CachedProfile | undefined,
): Promise<DecisionRead> {
  const digest = await p.readDigest(id, digestCookie);
  if (hit && (!digest || digest.at <= hit.changedAt)) return { entry: hit, source: 'cache' };
  if (digest) {
    // A cookie sealed elsewhere (another isolate or node) after this copy changed: the visitor's
    // events since then went there, and the store may not show them yet (KV). The cookie is the
    // newer state; the copy here is dropped and read again.
    if (hit) p.dropCached(id);
    // Warm the cache from the store in the background for the next request.
    void p.load(id).catch((e) => log.warn('[tessera] profile prefetch failed', { error: String(e) }));
    return {
      entry: { profile: profileFromDigest(digest, p.nodeId), changedAt: digest.at },
      source: 'cookie',
    };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), p.storeBudgetMs);
  });
  try {
    // A store that is down never fails a page: decide without the profile.
    const load = p.load(id).catch((e) => {
      log.warn('[tessera] profile read failed', { error: String(e) });
      return 'unavailable' as const;
    });
    const r = await Promise.race([load, timeout]);
    if (r === 'unavailable') return { entry: undefined, source: 'unavailable' };
    if (r === 'timeout') return { entry: undefined, source: 'timeout' };
    return { entry: r, source: r ? 'store' : 'none' };
  } finally {
    clearTimeout(timer);
  }
}
