/**
 * A consenting visitor cannot break the experiment statistics with a huge
 * number: a purchase with `quantity: 1e308` is rejected at /collect, and the
 * arm's revenue in the admin JSON stays a finite number (never `null`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jarFetch } from '../helpers/cookie-jar.js';
import { collect, consentingVisitor, type SecurityTarget, startSecurityApp } from './app.js';

const ADMIN = 'revenue-suite-admin-token-0123456789';
let t: SecurityTarget;

beforeAll(async () => {
  t = await startSecurityApp({ adminToken: ADMIN });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

function admin(method: string, path: string): Promise<Response> {
  return fetch(`${t.base}/admin/api/${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });
}

describe('revenue props are bounded', () => {
  it('rejects a purchase with quantity 1e308 and keeps every arm revenue finite', async () => {
    expect((await admin('POST', 'experiments/recs-strategy/resume')).status).toBe(200);
    const jar = await consentingVisitor(t.base);
    // The home page exposes the visitor to the experiment.
    expect((await jarFetch(jar, `${t.base}/`)).status).toBe(200);
    const res = await collect(t.base, jar, [
      { type: 'purchase', item: 'p-0002', props: { quantity: 1e308 } },
      { type: 'purchase', item: 'p-0003', props: { quantity: 2 } },
    ]);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { rejected: Array<{ index: number; error: string }> };
    expect(body.rejected).toEqual([{ index: 0, error: expect.stringMatching(/props\.quantity/) }]);

    const stats = await admin('GET', 'experiments/recs-strategy');
    const text = await stats.text();
    const arms = (JSON.parse(text) as { arms: Array<{ revenue: unknown }> }).arms;
    expect(arms.length).toBeGreaterThan(0);
    for (const a of arms) expect(Number.isFinite(a.revenue)).toBe(true);
    expect(arms.reduce((s, a) => s + (a.revenue as number), 0)).toBeGreaterThan(0);
    expect(text).not.toMatch(/"revenue[A-Za-z]*":null/);
  });
});
