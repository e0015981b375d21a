import { describe, expect, it } from 'vitest';
import type { TesseraEvent } from '../core/types.js';
import { IDLE_FLUSH_MS, URGENT_DELAY_MS } from './batching.js';
import { type CollectorDeps, createCollector } from './collector.js';

/** A collector on a fake clock, fake timers and a recording transport. */
function harness(opts: { mode?: 'opt-in' | 'opt-out'; cookie?: string; privacySignal?: boolean } = {}) {
  let now = 1_000;
  let nextId = 0;
  let timers: { at: number; fn: () => void; handle: number }[] = [];
  const sent: { events: TesseraEvent[]; beacon: boolean }[] = [];
  const cookie = { value: opts.cookie };
  const deps: CollectorDeps = {
    mode: opts.mode ?? 'opt-in',
    readConsentCookie: () => cookie.value,
    privacySignal: opts.privacySignal ?? false,
    send: async (events, beacon) => {
      sent.push({ events, beacon });
    },
    now: () => now,
    newId: () => `e${++nextId}`,
    setTimer: (fn, ms) => {
      const handle = nextId++;
      timers.push({ at: now + ms, fn, handle });
      return handle;
    },
    clearTimer: (h) => {
      timers = timers.filter((t) => t.handle !== h);
    },
  };
  const advance = (ms: number): void => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    timers = timers.filter((t) => t.at > now);
    for (const t of due) t.fn();
  };
  const types = () => sent.flatMap((b) => b.events.map((e) => e.type));
  return { c: createCollector(deps), sent, cookie, advance, types, pendingTimers: () => timers.length };
}

describe('consent gate', () => {
  it('drops events before consent in opt-in mode, and does not send them after a later grant', async () => {
    const h = harness();
    h.c.track('click', 'sku-1');
    h.c.track('scroll', undefined, { depth: 25 });
    expect(h.pendingTimers()).toBe(0);
    await h.c.consent({ personalization: true, analytics: true });
    await h.c.flush();
    expect(h.types()).toEqual(['consent']);
  });

  it('sends the consent event at once, with the choice, through fetch', async () => {
    const h = harness();
    await h.c.consent({ personalization: true, analytics: false });
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.beacon).toBe(false);
    expect(h.sent[0]?.events[0]).toMatchObject({
      type: 'consent',
      props: { personalization: true, analytics: false },
    });
    expect(h.c.consentState()).toMatchObject({ personalization: true, analytics: false, chosen: true });
  });

  it('follows the consent cookie the server set', () => {
    const h = harness();
    expect(h.c.consentState().chosen).toBe(false);
    h.cookie.value = 'p0.a1';
    expect(h.c.consentState()).toMatchObject({ personalization: false, analytics: true, chosen: true });
    h.c.track('form', undefined, { form: 'f', field: 'x', kind: 'text' });
    h.c.identify('user-1');
    h.advance(IDLE_FLUSH_MS);
    expect(h.types()).toEqual(['form']);
  });

  it('collects in opt-out mode unless GPC or DNT is on', () => {
    const open = harness({ mode: 'opt-out' });
    open.c.track('click', 'sku-1');
    open.advance(URGENT_DELAY_MS);
    expect(open.types()).toEqual(['click']);

    const gpc = harness({ mode: 'opt-out', privacySignal: true });
    gpc.c.track('click', 'sku-1');
    gpc.c.track('page', undefined, { path: '/' });
    gpc.advance(IDLE_FLUSH_MS);
    expect(gpc.sent).toEqual([]);
  });

  it('discards queued events that a decline no longer allows', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('scroll', undefined, { depth: 25 });
    await h.c.consent({ personalization: false, analytics: false });
    await h.c.flush();
    expect(h.types()).toEqual(['consent']);
  });

  it('ignores unknown event types and consent events forged through track', () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('pageview');
    h.c.track('consent', undefined, { personalization: true });
    h.advance(IDLE_FLUSH_MS);
    expect(h.sent).toEqual([]);
  });
});

describe('flush policy', () => {
  it('flushes an urgent event after the short debounce, with whatever else is queued', () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('scroll', undefined, { depth: 25 });
    h.c.track('click', 'sku-1', { slot: 'hero' });
    h.advance(URGENT_DELAY_MS - 1);
    expect(h.sent).toEqual([]);
    h.advance(1);
    expect(h.sent).toHaveLength(1);
    expect(h.types()).toEqual(['scroll', 'click']);
    expect(h.sent[0]?.events[1]).toMatchObject({
      id: expect.any(String),
      ts: expect.any(Number),
      item: 'sku-1',
    });
  });

  it('holds low-value events until the idle interval', () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('scroll', undefined, { depth: 25 });
    h.advance(IDLE_FLUSH_MS - 1);
    h.c.track('scroll', undefined, { depth: 50 });
    expect(h.sent).toEqual([]);
    h.advance(1);
    expect(h.types()).toEqual(['scroll', 'scroll']);
  });

  it('does not let later low-value events postpone a pending urgent flush', () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('add_to_cart', 'sku-2');
    h.advance(URGENT_DELAY_MS - 10);
    h.c.track('scroll', undefined, { depth: 25 });
    h.advance(10);
    expect(h.types()).toEqual(['add_to_cart', 'scroll']);
  });

  it('flushes at once when a batch is full and never sends more than 20 per request', async () => {
    const h = harness({ mode: 'opt-out' });
    for (let i = 0; i < 20; i++) h.c.track('view', `sku-${i}`);
    h.advance(0);
    expect(h.sent.map((b) => b.events.length)).toEqual([20]);
    for (let i = 0; i < 25; i++) h.c.record('view', `sku-${i}`, undefined, false);
    await h.c.drain(true);
    expect(h.sent.map((b) => b.events.length)).toEqual([20, 20, 5]);
    expect(h.sent.slice(1).every((b) => b.beacon)).toBe(true);
  });

  it('sends the main item view promptly through record', () => {
    const h = harness({ mode: 'opt-out' });
    h.c.record('view', 'sku-main', undefined, true);
    h.advance(URGENT_DELAY_MS);
    expect(h.types()).toEqual(['view']);
  });

  it('gives every event its own id', () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('click', 'a');
    h.c.track('click', 'b');
    h.advance(URGENT_DELAY_MS);
    const ids = h.sent.flatMap((b) => b.events.map((e) => e.id));
    expect(new Set(ids).size).toBe(2);
  });
});

describe('api helpers', () => {
  it('identify and feedback carry their fields', () => {
    const h = harness({ cookie: 'p1.a1' });
    h.c.identify('user-7', { plan: 'pro' });
    h.c.feedback('sku-3', 'not_interested', { slot: 'recs' });
    h.advance(URGENT_DELAY_MS);
    const [identify, feedback] = h.sent[0]?.events ?? [];
    expect(identify).toMatchObject({
      type: 'identify',
      props: { userId: 'user-7', traits: { plan: 'pro' } },
    });
    expect(feedback).toMatchObject({
      type: 'feedback',
      item: 'sku-3',
      props: { kind: 'not_interested', slot: 'recs' },
    });
  });
});
