import { describe, expect, it } from 'vitest';
import type { ExperimentDef } from '../config.js';
import type { TesseraEvent } from '../types.js';
import { ExperimentLedger } from './ledger.js';
import { createMemoryLedgerStore } from './memory-ledger-store.js';
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

const X = ['x'];
const expose = (l: ExperimentLedger, visitor: string, arm: string) =>
  l.expose(visitor, [{ experiment: 'x', arm }]);

describe('ExperimentLedger', () => {
  it('counts each visitor once per experiment, whatever the number of exposures', async () => {
    const l = new ExperimentLedger({ node: 'n1' });
    expect(await expose(l, 'v1', 'a')).toHaveLength(1);
    expect(await expose(l, 'v1', 'b')).toEqual([]);
    await expose(l, 'v2', 'b');
    expect(l.totals('x', arms).map((t) => t.visitors)).toEqual([1, 1]);
    expect(l.armOf('v1', 'x')).toBe('a');
  });

  it('attributes purchases, carts and recommended clicks to the visitor’s arm, once per visitor', async () => {
    const l = new ExperimentLedger({ node: 'n1' });
    await expose(l, 'v1', 'b');
    await l.record(
      'v1',
      [
        ev('1', 'purchase', { value: 10 }),
        ev('1', 'purchase', { value: 10 }),
        ev('2', 'purchase', { value: 5 }),
      ],
      rec,
      X,
    );
    await l.record(
      'v1',
      [ev('3', 'click', { props: { slot: 'recommended' } }), ev('4', 'click', { props: { slot: 'nav' } })],
      rec,
      X,
    );
    await l.record('v1', [ev('5', 'add_to_cart')], rec, X);
    const [, b] = l.totals('x', arms);
    expect(b).toMatchObject({ visitors: 1, converted: 1, clicked: 1, carted: 1, revenue: 15 });
  });

  it('counts nothing twice when the same batch is replayed, even by a node restarted on the same store', async () => {
    const store = createMemoryLedgerStore();
    const batch = [ev('1', 'purchase', { value: 10 }), ev('2', 'add_to_cart')];
    const first = new ExperimentLedger({ node: 'n1', store });
    await expose(first, 'v1', 'a');
    await first.record('v1', batch, rec, X);
    await first.record('v1', batch, rec, X);
    const restarted = new ExperimentLedger({ node: 'n1', store });
    await restarted.restore();
    await expose(restarted, 'v1', 'a');
    await restarted.record('v1', batch, rec, X);
    for (const l of [first, restarted])
      expect(l.totals('x', arms)[0]).toMatchObject({ visitors: 1, converted: 1, carted: 1, revenue: 10 });
  });

  it('keeps revenue finite whatever values reach it', async () => {
    const l = new ExperimentLedger({ node: 'n1' });
    await expose(l, 'v1', 'a');
    await l.record(
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
      X,
    );
    const [a] = l.totals('x', arms);
    expect(Number.isFinite(a!.revenue)).toBe(true);
    expect(a!.revenue).toBeGreaterThanOrEqual(7);
    expect(JSON.parse(JSON.stringify(a)).revenue).toBe(a!.revenue);
  });

  it('ignores visitors never exposed and clicks outside recommendation slots', async () => {
    const l = new ExperimentLedger({ node: 'n1' });
    expect(await l.record('ghost', [ev('1', 'purchase', { value: 1 })], rec, X)).toEqual([]);
    await expose(l, 'v1', 'a');
    await l.record('v1', [ev('2', 'click', { props: { slot: 'hero' } })], rec, X);
    expect(l.totals('x', arms)[0]!.clicked).toBe(0);
  });

  it('shows the same totals on two nodes that merged each other’s state', async () => {
    const n1 = new ExperimentLedger({ node: 'n1' });
    const n2 = new ExperimentLedger({ node: 'n2' });
    await expose(n1, 'v1', 'a');
    await expose(n2, 'v2', 'b');
    await n2.record('v2', [ev('1', 'purchase', { value: 3 })], rec, X);
    n1.merge(n2.snapshot());
    n2.merge(n1.snapshot());
    n1.merge(n2.snapshot());
    expect(n1.totals('x', arms)).toEqual(n2.totals('x', arms));
    expect(n1.totals('x', arms).map((t) => t.visitors)).toEqual([1, 1]);
  });
});

describe('ExperimentRuntime', () => {
  const def: ExperimentDef = { key: 'x', autoPromote: true, variants: [{ key: 'a' }, { key: 'b' }] };

  it('promotes the winner by itself once the sequential test concludes', async () => {
    let changes = 0;
    const rt = new ExperimentRuntime([def], { node: 'n1', onChange: () => changes++ });
    for (let i = 0; i < 1000; i++) {
      const arm = i % 2 ? 'b' : 'a';
      await rt.exposed(`v${i}`, [{ experiment: 'x', arm, segment: '*' }]);
      // b converts 30%, a 10%.
      if ((arm === 'b' && i % 10 < 6) || (arm === 'a' && i % 10 < 2))
        await rt.record(`v${i}`, [ev(`p${i}`, 'purchase', { value: 1 })], rec);
    }
    expect(rt.get('x')!.promoted).toBe('b');
    expect(rt.view('x')!.promotedBy).toBe('sequential test');
    expect(changes).toBeGreaterThan(1);
    // Promoted: everybody sees b, nobody new is exposed.
    expect(
      rt.assign({ visitorId: 'new', rules: undefined as never, profile: undefined, segments: [] }).exposures,
    ).toEqual([]);
  });

  it('promotes by command, resumes, and rejects unknown variants', async () => {
    const rt = new ExperimentRuntime([{ ...def, autoPromote: false }], { node: 'n1' });
    await rt.promote('x', 'a');
    expect(rt.get('x')!.promoted).toBe('a');
    await rt.setStatus('x', 'running');
    expect(rt.get('x')!.promoted).toBeUndefined();
    expect(() => rt.promote('x', 'zzz')).toThrow(/no variant "zzz"/);
  });

  it('restores statuses from the store: a paused experiment stays paused after a restart', async () => {
    const store = createMemoryLedgerStore();
    const before = new ExperimentRuntime([{ ...def, autoPromote: false }], { node: 'n1', store });
    await before.setStatus('x', 'paused');
    const after = new ExperimentRuntime([{ ...def, autoPromote: false }], { node: 'n1', store });
    expect(after.get('x')!.status).toBeUndefined();
    await after.restore();
    expect(after.get('x')!.status).toBe('paused');
  });

  it('stops a bandit and promotes its leader', async () => {
    const rt = new ExperimentRuntime(
      [{ key: 'bd', allocation: 'thompson', variants: [{ key: 'a' }, { key: 'b' }] }],
      { node: 'n1' },
    );
    for (let i = 0; i < 50; i++)
      await rt.exposed(`v${i}`, [{ experiment: 'bd', arm: i % 2 ? 'b' : 'a', segment: '*' }]);
    for (let i = 0; i < 10; i++)
      await rt.record(`v${2 * i + 1}`, [ev(`p${i}`, 'purchase', { value: 1 })], rec);
    const stopped = rt.stopBandit('bd');
    await stopped.stored;
    expect(stopped.leader).toBe('b');
    expect(rt.get('bd')!.promoted).toBe('b');
  });
});
