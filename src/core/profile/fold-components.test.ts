/**
 * The components part against a plain model of what it promises: after each
 * event, values that overflowed (or every value, after a rescale) are dropped
 * when not finite or below the floor, then the lowest elements (lowest value,
 * then greatest key, then greatest node) until the limit holds. Events here
 * add to one key twice and overflow values, so that a new element left out
 * at the cap (it would be dropped at once) comes back with its sum, and is
 * put back when an overflow makes room.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ComponentsPart } from './fold-components.js';

const LIMIT = 4;
const FLOOR = 0.001;

type Add = [key: string, node: string, amount: number];

/** The model: elements as [key, node, value], truncated after each event as the module note says. */
function modelEvent(elements: Add[], adds: Add[]): Add[] {
  let out = elements.map((e) => [...e] as Add);
  let renormalize = false;
  for (const [key, node, amount] of adds) {
    const at = out.find((e) => e[0] === key && e[1] === node);
    if (at) at[2] += amount;
    else out.push([key, node, amount]);
    if (!Number.isFinite(at ? at[2] : amount)) renormalize = true;
  }
  if (renormalize) out = out.filter((e) => Number.isFinite(e[2]) && e[2] >= FLOOR);
  const ranked = (a: Add, b: Add) =>
    b[2] - a[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1);
  return out.sort(ranked).slice(0, LIMIT);
}

function record(elements: Add[]): string {
  const sorted = [...elements].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  const r: Record<string, Record<string, number>> = {};
  for (const [k, n, v] of sorted) {
    r[k] ??= {};
    r[k][n] = v;
  }
  return JSON.stringify(r);
}

const add = fc.tuple(
  fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  fc.constantFrom('n1', 'n2'),
  fc.oneof(
    fc.constantFrom(0.5, 1, 1, 2, 3, 0.01),
    fc.double({ min: 0.002, max: 10, noNaN: true }),
    fc.constant(1.7e308), // two of them overflow
  ),
);

/** A part at its limit after one event of these values on node n1. */
function partWith(values: Record<string, number>): ComponentsPart {
  const part = new ComponentsPart(LIMIT, FLOOR);
  for (const k in values) part.add(k, 'n1', values[k]!);
  part.endEvent();
  return part;
}

describe('components part', () => {
  it('equals the model after every event, including elements left out at the cap', () => {
    fc.assert(
      fc.property(fc.array(fc.array(add, { minLength: 1, maxLength: 4 }), { maxLength: 30 }), (events) => {
        const part = new ComponentsPart(LIMIT, FLOOR);
        let model: Add[] = [];
        for (const adds of events) {
          for (const [k, n, v] of adds) part.add(k, n, v);
          part.endEvent();
          model = modelEvent(model, adds);
          expect(JSON.stringify(part.publish())).toBe(record(model));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a part at its cap unchanged, record and all, by a new element lower than all it holds', () => {
    const part = new ComponentsPart(LIMIT, FLOOR);
    for (const k of ['a', 'b', 'c', 'd']) part.add(k, 'n1', 5);
    part.endEvent();
    const before = part.publish();
    part.add('e', 'n1', 1);
    part.endEvent();
    expect(part.publish()).toBe(before);
  });

  it('keeps a left-out element that the same event adds to again past the lowest', () => {
    const part = partWith({ a: 5, b: 4, c: 3, d: 2 });
    part.add('e', 'n1', 1);
    part.add('e', 'n1', 1.5);
    part.endEvent();
    expect(part.publish()).toEqual({ a: { n1: 5 }, b: { n1: 4 }, c: { n1: 3 }, e: { n1: 2.5 } });
  });

  it('puts a left-out element back when an overflow later in the event makes room', () => {
    const part = partWith({ a: 1.7e308, b: 4, c: 3, d: 2 });
    part.add('e', 'n1', 1);
    part.add('a', 'n1', 1.7e308);
    part.endEvent();
    expect(part.publish()).toEqual({ b: { n1: 4 }, c: { n1: 3 }, d: { n1: 2 }, e: { n1: 1 } });
  });
});
