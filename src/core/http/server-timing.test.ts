import { describe, expect, it } from 'vitest';
import { safeHeaderValue } from './reply.js';
import { fixed3, printable, Timing } from './server-timing.js';

describe('Server-Timing', () => {
  it('formats durations as toFixed(3) does', () => {
    for (const ms of [0, 0.0004, 0.0015, 0.25, 1, 2.1154, 57.16, 999.9995, 12_345.6789])
      expect(fixed3(ms)).toBe(ms.toFixed(3));
    for (let i = 0; i < 10_000; i++) {
      const ms = Math.random() * 200;
      expect(fixed3(ms)).toBe(ms.toFixed(3));
    }
  });

  it('lists the steps in order, a carved step before the one it came from, and their total', () => {
    let now = 0;
    const t = new Timing(() => now);
    now = 1.5;
    t.step('context');
    now = 4;
    t.step('recommend');
    t.carve('experiments', 0.5);
    expect(t.header()).toBe('context;dur=1.500, experiments;dur=0.500, recommend;dur=2.000, total;dur=4.000');
    const seen: string[] = [];
    t.eachStep((name, ms) => seen.push(`${name}=${ms}`));
    expect(seen).toEqual(['context=1.5', 'experiments=0.5', 'recommend=2']);
    expect(t.total()).toBe(4);
  });

  it('says printable only when its header needs no percent-encoding', () => {
    let now = 0;
    const ok = new Timing(() => now);
    now = 1;
    ok.step('context');
    ok.carve('experiments', 0.5);
    expect(ok.printable()).toBe(true);
    expect(safeHeaderValue(ok.header())).toBe(ok.header());
    for (const name of ['r\u00e9rank', 'a\r\nb', 'x\u0000']) {
      const t = new Timing(() => now);
      t.step('context');
      t.step(name);
      expect(t.printable()).toBe(false);
      expect(safeHeaderValue(t.header())).not.toBe(t.header());
    }
    for (const text of ['cache', 'cache', 'tab\there', '', 'x'.repeat(100)])
      expect(printable(text)).toBe(true);
    for (const text of ['caf\u00e9', 'a\nb', '\u007f']) expect(printable(text)).toBe(false);
  });
});
