import { describe, expect, it } from 'vitest';
import { TesseraError } from './errors.js';
import { DEFAULT_BATCH_LIMITS, parseBatch, validateEvent } from './events.js';

const NOW = 1_780_000_000_000;
const ok = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'view',
  ts: NOW,
  item: 'p-1',
  ...extra,
});

describe('event validation', () => {
  it('keeps good events and reports bad ones by index', () => {
    const r = parseBatch(
      JSON.stringify({
        events: [ok('a'), { id: 'b', type: 'teleport', ts: NOW }, ok('c', { ts: 'yesterday' }), ok('d')],
      }),
      NOW,
    );
    expect(r.events.map((e) => e.id)).toEqual(['a', 'd']);
    expect(r.accepted).toBe(2);
    expect(r.rejected.map((x) => x.index)).toEqual([1, 2]);
    expect(r.rejected[0]?.error).toMatch(/type must be one of/);
    expect(r.rejected[1]?.error).toMatch(/ts/);
  });

  it('rejects bodies that are not JSON or not a batch with a clear 400', () => {
    for (const body of ['{not json', '[]', '{"events": 3}', 'null']) {
      try {
        parseBatch(body, NOW);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(TesseraError);
        expect((e as TesseraError).status).toBe(400);
        expect((e as TesseraError).message).toMatch(/\[tessera\] \[collect\]/);
      }
    }
  });

  it("reads the browser's count of events its queue dropped, and ignores a bad one", () => {
    const batch = (dropped: unknown) => parseBatch(JSON.stringify({ events: [ok('a')], dropped }), NOW);
    expect(batch(7).dropped).toBe(7);
    for (const bad of [undefined, -1, 1.5, '7', null]) {
      const r = batch(bad);
      expect(r.dropped).toBe(0);
      expect(r.events).toHaveLength(1);
    }
  });

  it('needs an item on item events, a boolean on consent, a user id on identify', () => {
    const r = parseBatch(
      JSON.stringify({
        events: [
          { id: '1', type: 'click', ts: NOW },
          { id: '2', type: 'consent', ts: NOW, props: { personalization: 'yes' } },
          { id: '3', type: 'identify', ts: NOW, props: {} },
          { id: '4', type: 'consent', ts: NOW, props: { personalization: true, analytics: false } },
        ],
      }),
      NOW,
    );
    expect(r.rejected.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(r.events).toHaveLength(1);
  });

  it('strips anything but field, kind and an allow-listed value from form events', () => {
    const r = parseBatch(
      JSON.stringify({
        events: [
          {
            id: 'f',
            type: 'form',
            ts: NOW,
            props: { field: 'email', kind: 'email', text: 'me@x.test', input: 'y' },
          },
        ],
      }),
      NOW,
    );
    expect(r.events[0]?.props).toEqual({ field: 'email', kind: 'email' });
  });

  it('drops in-batch duplicates and limits batch size, props size and timestamps', () => {
    const dup = parseBatch(JSON.stringify({ events: [ok('a'), ok('a')] }), NOW);
    expect(dup.events).toHaveLength(1);
    expect(dup.accepted).toBe(2);
    expect(() =>
      parseBatch(JSON.stringify({ events: Array.from({ length: 101 }, (_, i) => ok(`e${i}`)) }), NOW),
    ).toThrow(/at most 100/);
    const r = parseBatch(
      JSON.stringify({
        events: [
          ok('big', { props: { x: 'y'.repeat(5000) } }),
          ok('future', { ts: NOW + 3600_000 }),
          ok('old', { ts: 5 }),
        ],
      }),
      NOW,
    );
    expect(r.rejected.map((x) => x.error)).toEqual([
      expect.stringMatching(/larger/),
      'ts is in the future',
      'ts is too old',
    ]);
  });

  it('rejects a purchase whose quantity or price could overflow revenue, naming the prop', () => {
    const buy = (id: string, props: Record<string, unknown>) => ok(id, { type: 'purchase', props });
    const r = parseBatch(
      JSON.stringify({
        events: [
          buy('huge', { quantity: 1e308 }),
          buy('frac', { quantity: 2.5 }),
          buy('zero', { quantity: 0 }),
          buy('neg-price', { price: -1 }),
          buy('big-price', { price: 2e9 }),
          buy('big-value', { value: 1e308 }),
          buy('text', { quantity: '3' }),
          buy('fine', { quantity: 3, price: 19.99, value: 59.97 }),
          ok('cart', { type: 'add_to_cart', props: { quantity: 1e6 } }),
        ],
      }),
      NOW,
    );
    expect(r.rejected).toEqual([
      { index: 0, error: 'props.quantity must be an integer from 1 to 10000' },
      { index: 1, error: 'props.quantity must be an integer from 1 to 10000' },
      { index: 2, error: 'props.quantity must be an integer from 1 to 10000' },
      { index: 3, error: 'props.price must be a number from 0 to 1000000000' },
      { index: 4, error: 'props.price must be a number from 0 to 1000000000' },
      { index: 5, error: 'props.value must be a number from 0 to 1000000000' },
      { index: 6, error: 'props.quantity must be an integer from 1 to 10000' },
      { index: 8, error: 'props.quantity must be an integer from 1 to 10000' },
    ]);
    expect(r.events.map((e) => e.id)).toEqual(['fine']);
  });
});

describe('validateEvent: the plain-event fast path agrees with the schema', () => {
  const now = Date.UTC(2026, 0, 1);
  const ok = { id: 'e1', type: 'view', ts: now, item: 'p-1' };
  it.each([
    [ok, ok],
    [
      { id: 'e1', type: 'page', ts: now },
      { id: 'e1', type: 'page', ts: now },
    ],
    [{ ...ok, extra: 1 }, ok],
    [
      { ...ok, id: 'x'.repeat(64) },
      { ...ok, id: 'x'.repeat(64) },
    ],
    [{ ...ok, id: 'x'.repeat(65) }, 'id is longer than 64'],
    [{ ...ok, id: '' }, 'id is empty'],
    [{ ...ok, id: 7 }, 'id must be a string'],
    [{ ...ok, item: '' }, 'item is empty'],
    [{ ...ok, item: 'i'.repeat(129) }, 'item is too long'],
    [{ ...ok, item: null }, 'item must be a string'],
    [{ ...ok, ts: now + 0.5 }, 'ts must be an integer'],
    [{ ...ok, ts: '1' }, 'ts must be a number (epoch ms)'],
    [{ ...ok, ts: now + 3_600_000 }, 'ts is in the future'],
    [{ ...ok, ts: 0 }, 'ts is too old'],
    [{ id: 'e1', type: 'click', ts: now }, 'click events need an item'],
    [{ id: 'e1', type: 'consent', ts: now }, 'consent events need props.personalization (boolean)'],
    [
      { id: 'e1', type: 'identify', ts: now },
      'identify events need props.userId (a string of 1-128 characters)',
    ],
  ])('%j → %j', (raw, expected) => {
    const r = validateEvent(raw, now, DEFAULT_BATCH_LIMITS);
    if (typeof expected === 'string') expect(r).toEqual(expect.stringContaining(expected));
    else expect(r).toEqual(expected);
  });
  it('rejects an unknown type with the list of types', () => {
    expect(validateEvent({ ...ok, type: 'nope' }, now, DEFAULT_BATCH_LIMITS)).toMatch(/^type must be one of/);
  });
});
