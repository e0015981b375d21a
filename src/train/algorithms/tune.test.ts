import { describe, expect, it } from 'vitest';
import { clusteredInteractions, sequentialSessions } from '../data/synthetic.js';
import type { Interactions, SessionData, SessionModel, TopKModel, Tunable } from '../model-types.js';
import { tuneSession, tuneTopK } from './tune.js';
import { splitSessionValidation, splitTopKValidation } from './validation.js';

const train = clusteredInteractions({ users: 60, items: 40, clusters: 3, perUser: 8, seed: 9 });

function pairs(x: Interactions): Set<string> {
  const s = new Set<string>();
  for (let u = 0; u + 1 < x.rowPtr.length; u++)
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) s.add(`${u}:${x.col[e]}`);
  return s;
}

describe('validation splits', () => {
  it('holds out, per item, a share of that item’s training interactions and nothing else', () => {
    const { fit, heldOut } = splitTopKValidation(train, 0.25, 1);
    const all = pairs(train);
    const f = pairs(fit);
    const h = pairs(heldOut);
    for (const p of h) expect(all.has(p)).toBe(true);
    for (const p of h) expect(f.has(p)).toBe(false);
    expect(f.size + h.size).toBe(all.size);
    expect(h.size).toBeGreaterThan(all.size * 0.15);
  });

  it('holds out the most recent sessions', () => {
    const data = sequentialSessions({ sessions: 50, items: 30, themes: 3, seed: 1 });
    const { fit, heldOut } = splitSessionValidation(data, 0.2);
    expect(heldOut).toHaveLength(10);
    const lastFit = Math.max(...fit.sessions.map((s) => s.ts[s.ts.length - 1]!));
    for (const s of heldOut) expect(s.ts[s.ts.length - 1]!).toBeGreaterThan(lastFit);
  });
});

describe('tuning', () => {
  it('fits grid points on the train-only split, then refits the best on the whole training data', () => {
    const seen: Interactions[] = [];
    const spy: Tunable<TopKModel> = {
      name: 'spy',
      grid: [{ bias: 0 }, { bias: 1 }],
      make: (p) => ({
        name: 'spy',
        params: p,
        fit: (x: Interactions) => void seen.push(x),
        // bias 1 ranks by item index: a fixed preference the validation can tell apart.
        score: (_u: number, out: Float32Array) => {
          for (let i = 0; i < out.length; i++) out[i] = p.bias === 1 ? i % 3 : 0;
        },
      }),
    };
    const r = tuneTopK(spy, train, { k: 5, seed: 1 });
    expect(seen).toHaveLength(3);
    const all = pairs(train);
    for (const x of seen.slice(0, 2)) {
      for (const p of pairs(x)) expect(all.has(p)).toBe(true);
      expect(x.col.length).toBeLessThan(train.col.length);
    }
    expect(seen[2]).toBe(train);
    expect(r.trials).toHaveLength(2);
    expect(r.validation).toBe(Math.max(...r.trials.map((t) => t.validation)));
    expect(r.params).toEqual(r.trials.find((t) => t.validation === r.validation)!.params);
  });

  it('validates session models on sessions taken from the training data only', () => {
    const data = sequentialSessions({ sessions: 80, items: 30, themes: 3, seed: 2 });
    const ids = new Set(data.sessions.map((s) => s.id));
    const fitted: SessionData[] = [];
    const asked: number[][] = [];
    const spy: Tunable<SessionModel> = {
      name: 'spy',
      grid: [{}],
      make: (p) => ({
        name: 'spy',
        params: p,
        fit: (x: SessionData) => void fitted.push(x),
        predict: (prefix: ArrayLike<number>) => {
          asked.push(Array.from(prefix));
          return new Int32Array(0);
        },
      }),
    };
    const r = tuneSession(spy, data, { k: 20, seed: 1 });
    expect(r.validation).toBe(0);
    for (const s of fitted[0]!.sessions) expect(ids.has(s.id)).toBe(true);
    expect(fitted[0]!.sessions.length).toBeLessThan(data.sessions.length);
    expect(fitted[1]).toBe(data);
    expect(asked.length).toBeGreaterThan(0);
  });
});
