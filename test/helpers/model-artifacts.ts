/**
 * Two different model artifacts of the demo shop, written to files: the
 * attribute-only model and one trained on hiking views, for the registry's
 * import, promote and rollback tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { artifactVersion } from '../../src/core/recommend/index.js';
import { referrerEvents } from '../http/visitor-isolation.js';

export async function writeTwoModels(dir: string): Promise<Array<{ file: string; version: string }>> {
  const catalog = JSON.parse(
    readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
  ) as Array<{ id: string; category: string }>;
  const hiking = catalog.filter((p) => p.category === 'hiking').map((p) => p.id);
  const artifacts = [await trainShopModel(), await trainShopModel(undefined, referrerEvents(hiking))];
  return artifacts.map((a, i) => {
    const file = join(dir, `model-${i + 1}.tsra`);
    writeFileSync(file, new Uint8Array(a));
    return { file, version: artifactVersion(a) };
  });
}
