import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeTarget } from '../helpers/node-target.js';

let t: Awaited<ReturnType<typeof startNodeTarget>>;
beforeAll(async () => {
  t = await startNodeTarget({ store: 'memory' });
});
afterAll(async () => {
  await t.close();
});

const req = (cookie: string) => new Request(`${t.baseUrl}/`, { headers: { cookie } });

describe('decision trace', () => {
  it('says when a decision used request context only because consent is missing', async () => {
    const d = await t.app.engine.decide(req(''));
    expect(d.decision.personalized).toBe(false);
    expect(d.decision.trace[0]).toEqual({
      step: 'profile',
      detail: 'not used: no personalization consent (mode); request context only',
    });
  });

  it('names the slot rules and the model behind each slot', async () => {
    const d = await t.app.engine.decide(req('tsr_consent=p1.a1'));
    const steps = d.decision.trace.map((e) => e.step);
    expect(steps).toEqual(expect.arrayContaining(['profile', 'segments', 'slot:hero', 'recs:recommended']));
    expect(d.decision.trace.find((e) => e.step === 'slot:hero')?.detail).toBe('hero-default (default)');
  });

  it('is built only when asked: the page path leaves it empty, engine.decide fills it', async () => {
    // `trace: false` is what the page path asks for.
    const page = await t.app.engine.decide(req('tsr_consent=p1.a1'), { trace: false });
    expect(page.decision.trace).toEqual([]);
    const asked = await t.app.engine.decide(req('tsr_consent=p1.a1'));
    expect(asked.decision.trace.length).toBeGreaterThan(3);
    // The same choices either way (recommendation lists explore at random without a visitor).
    const choices = ({ segments, arms, content, cacheKey, personalized }: typeof page.decision) => ({
      segments,
      arms,
      content,
      cacheKey,
      personalized,
    });
    expect(choices(page.decision)).toEqual(choices(asked.decision));
  });
});
