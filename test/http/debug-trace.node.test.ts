/**
 * The decision trace over HTTP: `X-Tessera-Debug: 1` (or `?tessera-debug`)
 * with an admin token holding `read:debug` answers the page's decision as
 * JSON; anyone else gets the page, with nothing that hints the switch exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCommand } from '../../src/cli/commands/admin.js';
import { jarFetch } from '../helpers/cookie-jar.js';
import { collect, consentingVisitor, type SecurityTarget, startSecurityApp } from '../security/app.js';

let t: SecurityTarget;
let debugger_: string;
let reader: string;

beforeAll(async () => {
  t = await startSecurityApp();
  const mint = async (name: string, scopes: string) => {
    const out: string[] = [];
    await tokenCommand({ dataDir: t.dir, scopes, name }, (l) => out.push(l));
    return out[0]!;
  };
  debugger_ = await mint('debugger', 'read:debug');
  reader = await mint('reader', 'read:stats');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** A visitor who viewed two running products, so their list is personalized. */
async function runner() {
  const jar = await consentingVisitor(t.base);
  const running = [...t.app.engine.catalog.values()].filter((p) => p.category === 'running').slice(0, 3);
  const res = await collect(
    t.base,
    jar,
    running.map((p) => ({ type: 'view', item: p.id })),
  );
  expect(res.status).toBe(202);
  return jar;
}

describe('the decision trace over HTTP', () => {
  it('answers a read:debug token with the whole decision as private JSON', async () => {
    const jar = await runner();
    const res = await jarFetch(jar, `${t.base}/`, {
      headers: {
        authorization: `Bearer ${debugger_}`,
        'x-tessera-debug': '1',
        'accept-language': 'de-DE,de;q=0.9',
        referer: 'https://news.example/article',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    // A shared cache never stores it, and never answers the page's URL with it.
    expect(res.headers.get('cache-control')).toBe('no-store, private');
    expect(res.headers.get('vary')).toMatch(/Authorization/);
    const doc = await res.json();
    expect(doc.context).toMatchObject({ device: 'desktop', language: 'de-de', referrerHost: 'news.example' });
    expect(doc.context).toHaveProperty('localHour');
    expect(doc.context).toHaveProperty('utm');
    expect(doc.profile).toMatchObject({ personalized: true });
    expect(['cache', 'cookie', 'store']).toContain(doc.profile.source);
    // Segments with the rule that put the visitor in them.
    const runners = doc.segments.find((s: { id: string }) => s.id === 'runners');
    expect(runners.rule).toEqual({
      all: [
        { top: 'category', eq: 'running' },
        { affinity: 'category:running', gte: 1.5 },
      ],
    });
    // Content slots with the rule that chose them.
    const hero = doc.content.find((c: { slot: string }) => c.slot === 'hero');
    expect(hero).toMatchObject({ content: 'hero-running', by: 'rule', rules: 'site' });
    expect(hero.when).toEqual({ segment: 'runners' });
    // Experiments: each with its arm (or none) and why.
    expect(doc.experiments.map((e: { experiment: string }) => e.experiment)).toEqual([
      'recs-strategy',
      'promo-banner',
    ]);
    for (const e of doc.experiments) expect(e.why).toEqual(expect.any(String));
    // Every recommended item with its score, reason and the sources behind it; the filters applied.
    const recs = doc.recommendations.find((r: { slot: string }) => r.slot === 'recommended');
    expect(recs.model).toEqual(expect.any(String));
    expect(recs.items.length).toBeGreaterThan(0);
    expect(recs.sources.map((s: { action: string }) => s.action)).toContain('view');
    const scored = recs.items.filter((i: { score: number }) => i.score > 0);
    expect(scored.length).toBeGreaterThan(0);
    for (const i of scored) {
      expect(i.sources.length).toBeGreaterThan(0);
      expect(i.sources[0].contribution).toBeGreaterThan(0);
    }
    expect(recs.filters.seen.length).toBe(3);
    expect(recs.filters).toHaveProperty('suppressed');
    expect(recs.filters).toHaveProperty('fatigued');
    expect(doc.trace.map((e: { step: string }) => e.step)).toContain('segments');
  });

  it('answers ?tessera-debug the same way for a read:debug token', async () => {
    const res = await fetch(`${t.base}/?tessera-debug`, {
      headers: { authorization: `Bearer ${debugger_}` },
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = await res.json();
    expect(doc.profile.personalized).toBe(false);
    expect(doc.profile.source).toBe('none');
  });

  it('gives a read:stats token, a wrong token or no token the page, with no hint', async () => {
    const plain = await fetch(`${t.base}/`);
    const plainBody = await plain.text();
    for (const headers of [
      { authorization: `Bearer ${reader}`, 'x-tessera-debug': '1' },
      { authorization: 'Bearer tsr_not-a-token', 'x-tessera-debug': '1' },
      { 'x-tessera-debug': '1' },
    ]) {
      for (const path of ['/', '/?tessera-debug']) {
        const res = await fetch(`${t.base}${path}`, { headers });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.headers.get('cache-control')).toBe(plain.headers.get('cache-control'));
        const body = await res.text();
        expect(body).toContain('data-tessera-slot');
        expect(body.length).toBe(plainBody.length);
        expect(body).not.toMatch(/debug/i);
      }
    }
  });
});
