/**
 * Quality on generated data with known structure, evaluated on a test split
 * that tuning never sees: EASE beats popularity on nDCG@10, and Tessera's
 * session model beats AR, SR and S-kNN on both HR@20 and MRR@20.
 */
import { describe, expect, it } from 'vitest';
import { clusteredInteractions, sequentialSessions } from '../data/synthetic.js';
import { sessionModels, topKModels } from './index.js';
import { tuneSession, tuneTopK } from './tune.js';
import {
  knownItems,
  ndcgAtK,
  nextItemAtK,
  splitSessionValidation,
  splitTopKValidation,
} from './validation.js';

describe('quality on structured data', () => {
  it('EASE beats popularity on nDCG@10', () => {
    const data = clusteredInteractions({ users: 400, items: 300, clusters: 8, perUser: 20, seed: 11 });
    const test = splitTopKValidation(data, 0.25, 99);
    const ndcg = (name: string) => {
      const { model } = tuneTopK(topKModels[name]!, test.fit, { k: 10, seed: 1 });
      return ndcgAtK(model, test, 10);
    };
    const pop = ndcg('popularity');
    const ease = ndcg('ease');
    expect(ease).toBeGreaterThan(pop * 1.2);
  });

  it('the STAN+SR session model beats AR, SR and S-kNN on HR@20 and MRR@20', () => {
    const data = sequentialSessions({ sessions: 8000, items: 1000, themes: 50, seed: 4 });
    const test = splitSessionValidation(data, 0.15);
    const known = knownItems(test.fit);
    const score = (name: string) => {
      const { model } = tuneSession(sessionModels[name]!, test.fit, { k: 20, seed: 1 });
      return nextItemAtK(model, known, test.heldOut, 20);
    };
    const ours = score('stan');
    for (const base of ['ar', 'sr', 'sknn']) {
      const b = score(base);
      expect(ours.hr, `HR@20 vs ${base}`).toBeGreaterThan(b.hr);
      expect(ours.mrr, `MRR@20 vs ${base}`).toBeGreaterThan(b.mrr);
    }
  }, 60_000);
});
