/**
 * Two deliberately weak models for the rollout simulation, both valid
 * artifacts that serve without an error:
 *
 * - random lists: every item's neighbours, the session successors and the
 *   popular list drawn at random from the catalog (seeded) — the bad
 *   candidate the rollout must roll back;
 * - popular only: no neighbours, no successors, the catalog's order as the
 *   popular list — what a shop serves before it has a trained model, the
 *   production a trained candidate should beat.
 * @module
 */
import type { CatalogItem } from '../core/config.js';
import { type ModelData, writeArtifact } from '../core/recommend/index.js';
import { seededRandom } from '../stats/random.js';

export async function randomListsModel(
  catalog: readonly CatalogItem[],
  seed: number,
  k = 20,
): Promise<ArrayBuffer> {
  const rnd = seededRandom(seed >>> 0);
  const n = catalog.length;
  const shuffled = (): number[] => {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rnd.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  };
  const lists = (): Array<Array<[number, number]>> =>
    catalog.map((_, i) =>
      shuffled()
        .filter((j) => j !== i)
        .slice(0, k)
        .map((j, r): [number, number] => [j, 1 - r / k]),
    );
  return writeArtifact({
    items: itemsOf(catalog),
    k,
    neighbours: lists(),
    sessionNext: { k, neighbours: lists() },
    popular: shuffled(),
    createdAt: 0,
    trainer: `random-lists/${seed}`,
  });
}

function itemsOf(catalog: readonly CatalogItem[]): ModelData['items'] {
  return catalog.map((c) => ({
    id: c.id,
    category: c.category,
    brand: c.brand,
    tags: [...c.tags],
    in_stock: c.in_stock,
    title: c.title,
  }));
}

export function popularOnlyModel(catalog: readonly CatalogItem[]): Promise<ArrayBuffer> {
  return writeArtifact({
    items: itemsOf(catalog),
    k: 1,
    neighbours: catalog.map(() => []),
    popular: catalog.map((_, i) => i),
    createdAt: 0,
    trainer: 'popular-only/1',
  });
}
