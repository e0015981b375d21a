/**
 * Prepares the session ranker of a newly swapped model in the background:
 * the swap itself stays synchronous and atomic (a decision never waits for a
 * load), pages are served by the neighbour lists until the ranker is ready,
 * and a ranker prepared for a model that has since been replaced is dropped.
 * @module
 */
import type { Logger } from '../ports.js';
import type { Artifact } from './artifact-format.js';
import type { SessionRanker, SessionRankerProvider } from './session-ranker-port.js';

/** A ranker for `artifact` (any model, served or routed), undefined when it has none or preparing failed (logged). */
export function rankerFor(
  artifact: Artifact,
  provider: SessionRankerProvider | undefined,
  logger: Logger,
): Promise<SessionRanker | undefined> {
  if (!provider) return Promise.resolve(undefined);
  return provider.forModel(artifact).catch((e: unknown) => {
    logger.warn('[tessera] [ranker] the session model cannot serve: neighbour lists only', {
      model: artifact.version,
      error: String(e),
    });
    return undefined;
  });
}

export interface RankedModel {
  artifact: Artifact | undefined;
  ranker?: SessionRanker | undefined;
}

/**
 * Clears the ranker at once (it belonged to the previous model) and starts
 * preparing the new one's. Resolves to its name once it serves, undefined
 * when the model has none or preparing failed (logged).
 */
export function prepareRanker(
  model: RankedModel,
  provider: SessionRankerProvider | undefined,
  logger: Logger,
): Promise<string | undefined> {
  model.ranker = undefined;
  const artifact = model.artifact;
  if (!artifact) return Promise.resolve(undefined);
  return rankerFor(artifact, provider, logger).then((ranker) => {
    if (!ranker || model.artifact !== artifact) return undefined;
    model.ranker = ranker;
    return ranker.name;
  });
}
