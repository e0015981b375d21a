import { describe, expect, it } from 'vitest';
import { counterKey, type LedgerState } from '../core/experiments/ledger-state.js';
import { createLiveSeries, teeObserver } from './live-series.js';

function clock(start: number) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

describe('live series', () => {
  it('counts page views and accepted events per second, and leaves non-pages out', () => {
    const c = clock(1_000_000);
    const live = createLiveSeries(c);
    for (const stage of ['context', 'profile', 'recommend', 'context', 'assemble'])
      live.observer.stage(stage, 0.001);
    live.observer.request('/', 200, 0.002);
    live.observer.request('page', 200, 0.004);
    live.observer.request('/collect', 204, 0.001);
    live.observer.request('/admin/api', 200, 0.001);
    live.observer.ingest('accepted', 5);
    live.observer.ingest('rejected', 7);
    const s = live.snapshot('n1').perSecond;
    expect(s.t).toEqual([1000]);
    expect(s.pages).toEqual([2]);
    expect(s.events).toEqual([5]);
    expect(s.p50[0]).toBeGreaterThanOrEqual(2);
    expect(s.p50[0]).toBeLessThan(2.4); // within one bucket (20%)
    expect(s.p99[0]).toBeGreaterThanOrEqual(4);
    expect(s.p99[0]).toBeLessThan(4.8);
  });

  it('is honest about zero: quiet seconds read 0 with no latency, and nothing before the start', () => {
    const c = clock(5_000_500);
    const live = createLiveSeries(c);
    live.observer.stage('context', 0.001);
    live.observer.request('/', 200, 0.01);
    c.advance(3000);
    const s = live.snapshot('n1').perSecond;
    expect(s.t).toEqual([5000, 5001, 5002, 5003]);
    expect(s.pages).toEqual([1, 0, 0, 0]);
    expect(s.p50.slice(1)).toEqual([null, null, null]);
    const tens = live.snapshot('n1').per10s;
    expect(tens.t).toEqual([5000]);
    expect(tens.pages).toEqual([0.1]);
  });

  it('keeps five minutes per second: an old second is overwritten, not summed', () => {
    const c = clock(0);
    const live = createLiveSeries(c);
    live.observer.stage('context', 0.001);
    c.advance(300_000); // the same ring slot, five minutes later
    live.observer.stage('context', 0.001);
    const s = live.snapshot('n1').perSecond;
    expect(s.pages.length).toBe(300);
    expect(s.pages.reduce((a, b) => a + b, 0)).toBe(1);
    expect(s.pages.at(-1)).toBe(1);
  });

  it('charts CTR and conversion per arm from the ledger, null before any exposure', () => {
    const c = clock(100_000);
    const live = createLiveSeries(c);
    const state: LedgerState = { counters: {}, status: {} };
    const set = (arm: string, segment: string, counter: 'exposed' | 'clicked' | 'converted', v: number) => {
      state.counters[counterKey({ experiment: 'x', arm, segment, counter })] = { n1: v };
    };
    live.readLedger(() => structuredClone(state));
    set('a', '*', 'exposed', 0);
    live.observer.request('/', 200, 0.001);
    c.advance(10_000);
    set('a', '*', 'exposed', 30);
    set('a', 's1', 'exposed', 10); // segments add up, like the experiment table
    set('a', '*', 'clicked', 10);
    set('a', '*', 'converted', 4);
    live.observer.request('/', 200, 0.001);
    set('a', '*', 'exposed', 1000);
    live.observer.request('/', 200, 0.001); // the same 10 s: traffic reads the ledger once
    expect(live.snapshot('n1').arms.series[0]!.exposed.at(-1)).toBe(1010); // a dashboard read is now's
    set('a', '*', 'exposed', 30);
    const arms = live.snapshot('n1').arms;
    expect(arms.t).toEqual([100, 110]);
    const a = arms.series.find((s) => s.arm === 'a')!;
    expect(a.exposed).toEqual([0, 40]);
    expect(a.ctr).toEqual([null, 0.25]);
    expect(a.conversion).toEqual([null, 0.1]);
    expect(a.conversionLo[1]).toBeGreaterThan(0.03);
    expect(a.conversionLo[1]).toBeLessThan(0.1);
    expect(a.conversionHi[1]).toBeGreaterThan(0.1);
    expect(a.conversionHi[1]).toBeLessThan(0.24);
  });

  it('counts model swaps, and a return to a version served before as a rollback', () => {
    const live = createLiveSeries(clock(0));
    for (const v of ['v1', 'v2', 'v2', 'v1']) live.observer.modelSwap(v);
    const m = live.snapshot('n1').models;
    expect(m).toMatchObject({ current: 'v1', swaps: 3, rollbacks: 1 });
    expect(m.recent.map((s) => s.rollback)).toEqual([false, false, true]);
  });

  it('tees observers: both hear every call', () => {
    const heard: string[] = [];
    const tee = teeObserver(
      { request: (r) => heard.push(`a:${r}`) },
      { request: (r) => heard.push(`b:${r}`), click: (s) => heard.push(`b:${s}`) },
    );
    tee.request?.('/', 200, 0);
    tee.click?.('recs');
    expect(heard).toEqual(['a:/', 'b:/', 'b:recs']);
  });
});

describe('segment sizes', () => {
  it('counts distinct visitors per segment per 10 s, an anonymous page each time, top segments only', () => {
    const c = clock(10_000_000);
    const live = createLiveSeries(c);
    live.observer.segments(['mobile', 'runners'], 'v1');
    live.observer.segments(['mobile', 'runners'], 'v1'); // the same visitor again: counted once
    live.observer.segments(['runners', 'runners'], 'v1'); // a segment twice in one page: once too
    live.observer.segments(['mobile'], 'v2');
    live.observer.segments(['mobile'], undefined); // no consent, no id: one per page
    live.observer.segments(['mobile'], undefined);
    c.advance(10_000);
    live.observer.segments(['runners'], 'v1'); // a new 10 s bucket: v1 counts again
    for (let i = 0; i < 10; i++) live.observer.segments([`s${i}`], 'v9');
    const s = live.snapshot('n1').segments;
    expect(s.stepSeconds).toBe(10);
    expect(s.t).toEqual([10_000, 10_010]);
    const of = (id: string) => s.series.find((x) => x.segment === id)?.visitors;
    expect(of('mobile')).toEqual([4, 0]);
    expect(of('runners')).toEqual([1, 1]);
    expect(s.series).toHaveLength(8);
    expect(s.series.map((x) => x.segment).slice(0, 2)).toEqual(['mobile', 'runners']);
  });
});
