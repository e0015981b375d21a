/**
 * The registry moves a rollout ends with, each a compare-and-set on the
 * candidate alias: it happens only while the alias still names the version
 * that was tested. The first node to conclude moves the aliases; any other
 * node concluding the same rollout (or the opposite, on counts a moment
 * older) finds the alias moved and changes nothing — no second promotion,
 * no promotion undoing a rollback, no rollback of an operator's newer
 * candidate.
 * @module
 */
import { TesseraError } from '../../core/errors.js';
import type { ModelAliases, ModelStore } from '../../core/ports.js';
import { type ModelVersions, withAlias } from '../model-registry.js';

const CAS_ATTEMPTS = 20;

/** Applies `change` while the candidate alias is `version`; false once it is not (someone else moved it). */
async function whileCandidate(
  store: ModelVersions,
  version: string,
  change: (current: ModelAliases) => Omit<ModelAliases, 'revision'>,
): Promise<boolean> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const current = await store.aliases();
    if (current.candidate !== version) return false;
    if (await store.setAliases(change(current), current.revision)) return true;
  }
  throw new TesseraError(409, `[tessera] [models] the aliases kept changing: ${CAS_ATTEMPTS} attempts lost`);
}

/** The candidate becomes production (the previous production goes to the history). */
export function promoteCandidate(store: ModelStore, version: string): Promise<boolean> {
  return whileCandidate(store, version, (a) => withAlias(a, version, 'production'));
}

/**
 * The candidate alias is cleared: a rollback or a retirement. Production
 * never moved, so nothing else changes; the version stays registered.
 */
export function retireCandidate(store: ModelStore, version: string): Promise<boolean> {
  return whileCandidate(store, version, (a) => {
    const { revision: _, candidate: __, ...rest } = a;
    return rest;
  });
}
