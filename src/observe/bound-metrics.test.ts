import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BoundCounter, BoundHistogram } from './bound-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same observations into prom-client's own metrics and into the bound ones, printed by a registry each. */
async function bothPrint(
  observe: (h: { obs(route: string, v: number): void; inc(route: string, n: number): void }) => void,
) {
  const theirs = new Registry();
  const ours = new Registry();
  const h = new Histogram({
    name: 'x_seconds',
    help: 'h',
    labelNames: ['route', 'status'],
    buckets: BUCKETS,
    registers: [theirs],
  });
  const c = new Counter({ name: 'x_total', help: 'c', labelNames: ['route'], registers: [theirs] });
  const bh = new BoundHistogram({
    name: 'x_seconds',
    help: 'h',
    labelNames: ['route', 'status'],
    buckets: BUCKETS,
    registers: [ours],
  });
  const bc = new BoundCounter({ name: 'x_total', help: 'c', labelNames: ['route'], registers: [ours] });
  observe({
    obs(route, v) {
      h.labels({ route, status: '200' }).observe(v);
      bh.labels(route, '200').observe(v);
    },
    inc(route, n) {
      c.labels({ route }).inc(n);
      bc.labels(route).inc(n);
    },
  });
  return { theirs: await theirs.metrics(), ours: await ours.metrics(), json: await ours.getMetricsAsJSON() };
}

describe('bound metrics', () => {
  it('print exactly what prom-client prints for the same observations', async () => {
    const { theirs, ours } = await bothPrint((m) => {
      for (const v of [0.0005, 0.001, 0.002, 0.05, 0.5, 3]) m.obs('/', v);
      m.obs('/collect', 0.02);
      m.inc('/', 1);
      m.inc('/', 2);
      m.inc('page', 5);
    });
    expect(ours).toBe(theirs);
    expect(ours).toContain('x_seconds_bucket{le="0.001",route="/",status="200"} 2');
    expect(ours).toContain('x_seconds_bucket{le="+Inf",route="/",status="200"} 6');
    expect(ours).toContain('x_total{route="/"} 3');
  });

  it('give every label on each value to JSON readers, as prom-client does', async () => {
    const { json } = await bothPrint((m) => m.obs('/', 0.2));
    const hist = json.find((x) => x.name === 'x_seconds');
    expect(hist?.values).toContainEqual(
      expect.objectContaining({
        metricName: 'x_seconds_bucket',
        value: 1,
        labels: { le: 1, route: '/', status: '200' },
      }),
    );
  });

  it('refuse what prom-client refuses: a negative increment, an observation that is not a number', () => {
    const r = new Registry();
    const c = new BoundCounter({ name: 'y_total', help: 'c', labelNames: ['a'], registers: [r] });
    const h = new BoundHistogram({
      name: 'y_seconds',
      help: 'h',
      labelNames: ['a'],
      buckets: BUCKETS,
      registers: [r],
    });
    expect(() => c.labels('x').inc(-1)).toThrow(TypeError);
    expect(() => h.labels('x').observe(Number.NaN)).toThrow(TypeError);
  });
});
