import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticRatings } from '../train/data/synthetic.js';
import { writeRatingsTsv } from '../train/data/write.js';
import { FEDERATED_DEFAULTS, trainFederated } from './simulate.js';
import { tuneFederated } from './tune.js';

let file = '';
const { data } = syntheticRatings({
  users: 40,
  items: 60,
  ratings: 1200,
  clusters: 3,
  minPerUser: 10,
  seed: 5,
});

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'tessera-fl-tune-')), 'ratings.tsv');
  await writeRatingsTsv(file, data);
});

describe('federated tuning', () => {
  it('sums unmasked rounds to the same table, bit for bit, as masked ones', async () => {
    const run = {
      rounds: 3,
      clientsPerRound: 40,
      epsilon: 4,
      delta: 1e-5,
      seed: 7,
      noiseSeed: 3,
      neighbours: 6,
    };
    const masked = await trainFederated(data, FEDERATED_DEFAULTS, run);
    const plain = await trainFederated(data, FEDERATED_DEFAULTS, { ...run, masking: false });
    expect(plain.items).toEqual(masked.items);
  }, 60_000);

  it('varies one axis at a time on the validation split and picks the best validation score', async () => {
    const r = await tuneFederated({
      data: file,
      clientsPerRound: 40,
      epsilon: Number.POSITIVE_INFINITY,
      delta: 1e-5,
      grid: { rounds: [2, 4], learningRate: [0.1], clip: [1], epochs: [1] },
      centre: { rounds: 3, learningRate: 0.1, clip: 1, epochs: 2 },
    });
    // Centre, rounds 2 and 4, epochs 1, and the combination (unless it repeats a trial).
    expect(r.trials.length).toBeGreaterThanOrEqual(4);
    expect(r.best.ndcg).toBe(Math.max(...r.trials.map((t) => t.ndcg)));
    expect(r.procedure).toMatch(/test set aside; validation carved from train/);
    // The fit part is the training split minus validation: fewer interactions than the file.
    expect(r.fitInteractions + r.validationInteractions).toBeLessThan(data.col.length);
  }, 120_000);
});
