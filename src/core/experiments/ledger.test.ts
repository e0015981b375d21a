import { describe, expect, it } from 'vitest';
import type { ExperimentDef } from '../config.js';
import type { TesseraEvent } from '../types.js';
import { ExperimentLedger } from './ledger.js';
import { ExperimentRuntime } from './runtime.js';

const rec = new Set(['recommended']);
const ev = (
  id: string,
  type: TesseraEvent['type'],
  extra: Partial<TesseraEvent> & { value?: number } = {},
) => ({
  id,
  type,
  ts: 0,
  item: 'p-1',
  ...extra,
});
const arms = [
  { arm: 'a', weight: 1 },
  { arm: 'b', weight: 1 },
];

describe('ExperimentLedger', () => {
  it('counts each visitor once per experiment, whatever the number of exposures', () => {
    const l = new ExperimentLedger();
    expect(l.expose('v1', 'x', 'a')).toBe(true);
    expect(l.expose('v1', 'x', 'b')).toBe(false);
    l.expose('v2', 'x', 'b');
    expect(l.totals('x', arms).map((t) => t.visitors)).toEqual([1, 1]);
    expect(l.armOf('v1', 'x')).toBe('a');
  });

  it('attributes purchases, carts and recommended clicks to the visitor’s arm, once per visitor', () => {
    const l = new ExperimentLedger();
    l.expose('v1', 'x', 'b');
    l.record(
      'v1',
      [
        ev('1', 'purchase', { value: 10 }),
        ev('1', 'purchase', { value: 10 }),
        ev('2', 'purchase', { value: 5 }),
      ],
      rec,
    );
    l.record(
      'v1',
      [ev('3', 'click', { props: { slot: 'recommended' } }), ev('4', 'click', { props: { slot: 'nav' } })],
      rec,
    );
    l.record('v1', [ev('5', 'add_to_cart')], rec);
    const [, b] = l.totals('x', arms);
    expect(b).toMatchObject({ visitors: 1, converted: 1, clicked: 1, carted: 1, revenue: 15 });
  });

  it('keeps revenue finite whatever values reach it', () => {
    const l = new ExperimentLedger();
    l.expose('v1', 'x', 'a');
    l.record(
      'v1',
      [
        ev('1', 'purchase', { value: 1e308 }),
        ev('2', 'purchase', { value: 1e308 }),
        ev('3', 'purchase', { value: Number.POSITIVE_INFINITY }),
        ev('4', 'purchase', { value: Number.NaN }),
        ev('5', 'purchase', { value: -50 }),
        ev('6', 'purchase', { value: 7 }),
      ],
      rec,
    );
    const [a] = l.totals('x', arms);
    expect(Number.isFinite(a!.revenue)).toBe(true);
    expect(a!.revenue).toBeGreaterThanOrEqual(7);
    expect(JSON.parse(JSON.stringify(a)).revenue).toBe(a!.revenue);
  });

  it('ignores visitors never exposed and clicks outside recommendation slots', () => {
    const l = new ExperimentLedger();
    expect(l.record('ghost', [ev('1', 'purchase', { value: 1 })], rec)).toEqual([]);
    l.expose('v1', 'x', 'a');
    l.record('v1', [ev('2', 'click', { props: { slot: 'hero' } })], rec);
    expect(l.totals('x', arms)[0]!.clicked).toBe(0);
  });
});

describe('ExperimentRuntime', () => {
  const def: ExperimentDef = { key: 'x', autoPromote: true, variants: [{ key: 'a' }, { key: 'b' }] };

  it('promotes the winner by itself once the sequential test concludes', () => {
    let changes = 0;
    const rt = new ExperimentRuntime([def], { node: 'n1', onChange: () => changes++ });
    for (let i = 0; i < 1000; i++) {
      const arm = i % 2 ? 'b' : 'a';
      rt.exposed(`v${i}`, [{ experiment: 'x', arm, segment: '*' }]);
      // b converts 30%, a 10%.
      if ((arm === 'b' && i % 10 < 6) || (arm === 'a' && i % 10 < 2))
        rt.record(`v${i}`, [ev(`p${i}`, 'purchase', { value: 1 })], rec);
    }
    expect(rt.get('x')!.promoted).toBe('b');
    expect(rt.view('x')!.promotedBy).toBe('sequential test');
    expect(changes).toBeGreaterThan(1);
    // Promoted: everybody sees b, nobody new is exposed.
    expect(
      rt.assign({ visitorId: 'new', rules: undefined as never, profile: undefined, segments: [] }).exposures,
    ).toEqual([]);
  });

  it('promotes by command, resumes, and rejects unknown variants', () => {
    const rt = new ExperimentRuntime([{ ...def, autoPromote: false }], { node: 'n1' });
    rt.promote('x', 'a');
    expect(rt.get('x')!.promoted).toBe('a');
    rt.setStatus('x', 'running');
    expect(rt.get('x')!.promoted).toBeUndefined();
    expect(() => rt.promote('x', 'zzz')).toThrow(/no variant "zzz"/);
  });

  it('stops a bandit and promotes its leader', () => {
    const rt = new ExperimentRuntime(
      [{ key: 'bd', allocation: 'thompson', variants: [{ key: 'a' }, { key: 'b' }] }],
      {
        node: 'n1',
      },
    );
    for (let i = 0; i < 50; i++) rt.bandits.trial('bd', '*', i % 2 ? 'b' : 'a');
    for (let i = 0; i < 10; i++) rt.bandits.win('bd', '*', 'b');
    expect(rt.stopBandit('bd')).toBe('b');
    expect(rt.get('bd')!.promoted).toBe('b');
  });
});
