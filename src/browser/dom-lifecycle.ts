/**
 * Thin DOM wiring for the page's life: the page event, item views (≥ 50 %
 * visible for 1 s), scroll depth, dwell time, and the beacon flush when the
 * page is hidden or left.
 * @module
 */
import type { Collector } from './collector.js';
import { guard, slotProps } from './dom-interactions.js';
import { pageProps } from './event.js';
import { newBuckets, scrollDepth } from './scroll.js';

/** Visible share and time an item needs before it counts as seen. */
export const VIEW_RATIO = 0.5;
export const VIEW_MS = 1000;

/**
 * The main item's view is interest; any other tile seen is an impression,
 * sent with the slot it sits in (`page` when none) so the server counts it
 * towards fatigue caps and not as interest.
 */
function viewOf(c: Collector, el: Element, main: boolean): void {
  const item = el.getAttribute('data-tessera-item');
  if (item) c.record('view', item, main ? undefined : (slotProps(el) ?? { slot: 'page' }), main);
}

/** Views: the main item at once; every other item after a second at half visibility. */
function watchViews(c: Collector, doc: Document): void {
  const main = doc.querySelector('[data-tessera-item][data-tessera-main]');
  if (main) viewOf(c, main, true);
  const timers = new Map<Element, ReturnType<typeof setTimeout>>();
  const io = new IntersectionObserver(
    guard((entries: IntersectionObserverEntry[]) => {
      for (const { target, isIntersecting, intersectionRatio } of entries) {
        const pending = timers.get(target);
        if (isIntersecting && intersectionRatio >= VIEW_RATIO) {
          if (pending) continue;
          const t = setTimeout(
            guard(() => {
              io.unobserve(target);
              viewOf(c, target, false);
            }),
            VIEW_MS,
          );
          timers.set(target, t);
        } else if (pending) {
          clearTimeout(pending);
          timers.delete(target);
        }
      }
    }),
    { threshold: VIEW_RATIO },
  );
  doc.querySelectorAll('[data-tessera-item]').forEach((el) => {
    if (el !== main) io.observe(el);
  });
}

function watchScroll(c: Collector, doc: Document, win: Window): void {
  let deepest = 0;
  const onScroll = guard(() => {
    const root = doc.documentElement;
    const depth = scrollDepth(win.scrollY, win.innerHeight, root.scrollHeight);
    for (const bucket of newBuckets(depth, deepest)) {
      deepest = bucket;
      c.record('scroll', undefined, { depth: bucket }, false);
    }
  });
  win.addEventListener('scroll', onScroll, { passive: true });
}

/**
 * Dwell is sent as the visible time since the page last became visible, so
 * repeated hides add up. A page that was never visible has nothing to beacon:
 * what it queued goes by fetch, or with the next page.
 */
function watchVisibility(c: Collector, doc: Document, win: Window): void {
  let visibleSince: number | undefined = doc.visibilityState === 'visible' ? Date.now() : undefined;
  // Once per hide: leaving a page fires both visibilitychange and pagehide,
  // and the beaconed events stay queued until a fetch is acknowledged.
  const hide = guard(() => {
    if (visibleSince === undefined) return;
    c.record('dwell', undefined, { ms: Date.now() - visibleSince }, false);
    visibleSince = undefined;
    void c.drain(true);
  });
  doc.addEventListener('visibilitychange', () => {
    if (doc.visibilityState === 'hidden') hide();
    else visibleSince = Date.now();
  });
  win.addEventListener('pagehide', hide);
}

export function wireLifecycle(c: Collector, doc: Document, win: Window): void {
  c.record('page', undefined, pageProps(win.location.pathname, doc.referrer), true);
  watchViews(c, doc);
  watchScroll(c, doc, win);
  watchVisibility(c, doc, win);
}
