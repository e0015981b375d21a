/**
 * The registry move a rollout makes when it ends without a promotion: the
 * candidate alias is cleared (only if it still names that version: an
 * operator may have registered a newer candidate meanwhile). Production
 * never moved, so nothing else changes; the version stays registered.
 * @module
 */
import type { ModelStore } from '../../core/ports.js';
import { updateAliases } from '../model-registry.js';

export async function retireCandidate(store: ModelStore, version: string): Promise<boolean> {
  let retired = false;
  await updateAliases(store, (a) => {
    const { revision: _, candidate, ...rest } = a;
    retired = candidate === version;
    return retired ? rest : { ...rest, ...(candidate ? { candidate } : {}) };
  });
  return retired;
}
