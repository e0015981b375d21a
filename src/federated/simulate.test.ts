import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulateJson } from '../cli/commands/federated.js';
import { syntheticRatings } from '../train/data/synthetic.js';
import { writeRatingsTsv } from '../train/data/write.js';
import { simulateFederated } from './simulate.js';

let file = '';

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'tessera-fl-')), 'ratings.tsv');
  const { data } = syntheticRatings({
    users: 80,
    items: 120,
    ratings: 3000,
    clusters: 4,
    minPerUser: 15,
    seed: 3,
  });
  await writeRatingsTsv(file, data);
});

describe('federated simulate', () => {
  it('learns without noise well beyond popularity, through masked rounds with dropouts', async () => {
    const r = await simulateFederated({
      data: file,
      rounds: 15,
      clientsPerRound: 80,
      epsilon: Number.POSITIVE_INFINITY,
      delta: 1e-5,
      neighbours: 6,
      dropout: 0.1,
      noiseSeed: 1,
    });
    expect(r.rounds).toBe(15);
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.federated.ndcg).toBeGreaterThan(r.popularity.ndcg);
    expect(r.federated.ndcg).toBeGreaterThan(0.8 * r.centralized.ndcg);
    const json = simulateJson(r) as Record<string, unknown>;
    expect(json.epsilon).toBe('inf');
    for (const key of ['federated', 'centralized', 'popularity'])
      expect(Object.keys(json[key] as object).sort()).toEqual(['map', 'ndcg', 'precision', 'recall']);
    expect(json).toMatchObject({ delta: 1e-5, rounds: 15, clients: 80 });
  }, 120_000);

  it('stops at the privacy budget and reports the ε it spent', async () => {
    const r = await simulateFederated({
      data: file,
      rounds: 4,
      clientsPerRound: 40,
      epsilon: 2,
      delta: 1e-5,
      noiseSeed: 1,
    });
    expect(r.rounds).toBe(4);
    expect(r.epsilon).toBeCloseTo(2, 9);
    expect(r.round_epsilon).toBeLessThan(2);
  }, 120_000);
});
