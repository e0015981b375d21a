/**
 * When a full retrain runs: inside the site's off-peak window (local time in
 * its time zone) once a day when the log grew since the last training, or at
 * any time once `minNewEvents` arrived since then. Without a window nor a
 * threshold, whenever the log grew (the retrain timer's old behaviour).
 * Pure: the host's timer asks it.
 * @module
 */
import type { RetrainConfig } from './lifecycle-config.js';

export interface RetrainState {
  now: number;
  /** Events in the log now, and when the last training read it. */
  events: number;
  trainedEvents: number;
  /** When the last training ran (ms), -Infinity before any. */
  trainedAt: number;
}

/** Minutes after local midnight in `timeZone`. */
export function localMinutes(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

function parseWindow(w: string): [number, number] {
  const [a, b] = w.split('-').map((hm) => {
    const [h, m] = hm.split(':').map(Number);
    return h! * 60 + m!;
  });
  return [a!, b!];
}

export function inWindow(now: number, window: string, timeZone: string): boolean {
  const [start, end] = parseWindow(window);
  const t = localMinutes(now, timeZone);
  return start <= end ? t >= start && t < end : t >= start || t < end;
}

export function retrainReason(s: RetrainState, c: RetrainConfig): string | undefined {
  const grown = s.events - s.trainedEvents;
  if (grown <= 0) return undefined;
  if (c.minNewEvents > 0 && grown >= c.minNewEvents) return `${grown} new events`;
  if (c.window) {
    // Once per window: a training less than a day ago that was inside it counts.
    const trainedInThisWindow =
      s.now - s.trainedAt < 24 * 3_600_000 && inWindow(s.trainedAt, c.window, c.timeZone);
    if (inWindow(s.now, c.window, c.timeZone) && !trainedInThisWindow)
      return `off-peak window ${c.window} ${c.timeZone}`;
    return undefined;
  }
  return c.minNewEvents > 0 ? undefined : `${grown} new events`;
}
