/**
 * Exposures: how often an item or placement was shown to the visitor, a
 * G-counter per node, for fatigue caps.
 * @module
 */
import type { Profile } from '../types.js';
import { addComponent } from './components.js';
import { TEXT_LIMITS } from './limits.js';
import { clampNode, clampText } from './text.js';
import { normalizeProfile } from './truncate.js';

/** Count `n` impressions of `key` on `node`. Pure; an erased profile stays as it is. */
export function recordExposure(p: Profile, key: string, node: string, n = 1): Profile {
  const k = clampText(key, TEXT_LIMITS.exposureKey);
  if (p.erasedAt !== undefined || k === '' || !(Number.isInteger(n) && n > 0)) return p;
  const exposures = structuredClone(p.exposures);
  const nodeId = clampNode(node);
  addComponent(exposures, k, nodeId, n);
  const nodes = exposures[k]!;
  nodes[nodeId] = Math.min(nodes[nodeId]!, Number.MAX_SAFE_INTEGER);
  return normalizeProfile({ ...p, exposures });
}
