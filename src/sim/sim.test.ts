import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../core/config.js';
import { minimumDetectableLift } from '../stats/power.js';
import { seededRandom } from '../stats/random.js';
import { itemIds, slotItems } from './client.js';
import { simulate } from './run.js';
import { makeTaste, makeWorld, pickCategory, utility } from './taste.js';

const item = (id: string, category: string, tags: string[]): CatalogItem => ({
  id,
  title: id,
  category,
  brand: 'b',
  price: 10,
  tags,
  in_stock: true,
});

describe('latent tastes', () => {
  const world = makeWorld([
    item('a', 'run', ['trail']),
    item('b', 'swim', ['pool']),
    item('c', 'run', ['road']),
  ]);

  it('keeps utility in [0, 1] and prefers the main category', () => {
    const rnd = seededRandom(3);
    let mainWins = 0;
    for (let i = 0; i < 200; i++) {
      const taste = makeTaste(world, rnd);
      for (const it of world.items) {
        const u = utility(taste, it);
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThanOrEqual(1);
      }
      const main = [...taste.categories].sort((x, y) => y[1] - x[1])[0]![0];
      if (pickCategory(taste, rnd) === main) mainWins++;
    }
    expect(mainWins / 200).toBeGreaterThan(0.6);
  });
});

describe('page parsing', () => {
  it('reads the items of one slot, in order, and no others', () => {
    const html =
      '<main data-tessera-item="p-9"></main><section data-tessera-slot="recommended"><a data-tessera-item="p-1"></a><a data-tessera-item="p-2"></a></section><a data-tessera-item="p-3"></a>';
    expect(slotItems(html, 'recommended')).toEqual(['p-1', 'p-2']);
    expect(itemIds(html)).toEqual(['p-9', 'p-1', 'p-2', 'p-3']);
    expect(slotItems(html, 'missing')).toEqual([]);
  });
});

describe('simulate', () => {
  it('drives the demo shop over HTTP and reads the experiment back from the server', async () => {
    const r = await simulate({ visitors: 60, seed: 5, retrainEvery: 30 });
    expect(r.arms.map((a) => a.arm)).toEqual(['popular', 'personalized']);
    expect(r.arms.reduce((s, a) => s + a.visitors, 0)).toBe(60);
    // Every simulated purchase reaches the server's ledger as a converting visitor (at most one per visitor).
    expect(r.arms.reduce((s, a) => s + a.converted, 0)).toBeLessThanOrEqual(r.purchases);
    expect(r.purchases === 0 || r.arms.some((a) => a.converted > 0)).toBe(true);
    expect(r.lift_ci).toHaveLength(2);
    expect(typeof r.srm_pass).toBe('boolean');
    expect(r.timing.latency_p99_ms).toBeGreaterThan(0);
    // The smallest lift this many visitors could show, at the experiment's own α.
    const [control, treatment] = r.arms;
    const mde = minimumDetectableLift({
      baseline: control!.conversion,
      nControl: control!.visitors,
      nTreatment: treatment!.visitors,
      alpha: 1 - r.confidence,
    });
    expect(mde).toBeGreaterThan(0);
    expect(r.mde).toBe(mde);
    expect(r.mde_power).toBe(0.8);
  }, 60_000);

  it('is bit-identical from run to run with the same seed (timings apart), and differs with another seed', async () => {
    const o = { visitors: 200, seed: 7, retrainEvery: 100 };
    const { timing: _a, ...first } = await simulate(o);
    const { timing: _b, ...second } = await simulate(o);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    const { timing: _c, ...other } = await simulate({ ...o, seed: 8 });
    expect(JSON.stringify({ ...other, seed: first.seed })).not.toBe(JSON.stringify(first));
  }, 240_000);
});
