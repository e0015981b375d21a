import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRAIN } from './lifecycle-config.js';
import { inWindow, localMinutes, retrainReason } from './retrain-schedule.js';

// 2025-01-06 is a Monday; Berlin is UTC+1 in January.
const at = (hhmm: string) => Date.parse(`2025-01-06T${hhmm}:00Z`);

describe('retrain schedule', () => {
  it('reads the window in the site time zone, across midnight too', () => {
    expect(localMinutes(at('01:30'), 'Europe/Berlin')).toBe(150);
    expect(inWindow(at('01:30'), '02:00-05:00', 'Europe/Berlin')).toBe(true); // 02:30 in Berlin
    expect(inWindow(at('01:30'), '02:00-05:00', 'UTC')).toBe(false);
    expect(inWindow(at('23:30'), '23:00-01:00', 'UTC')).toBe(true);
    expect(inWindow(at('00:30'), '23:00-01:00', 'UTC')).toBe(true);
    expect(inWindow(at('12:00'), '23:00-01:00', 'UTC')).toBe(false);
  });

  it('trains once per off-peak window when the log grew, or at any time after enough new events', () => {
    const c = { ...DEFAULT_RETRAIN, window: '02:00-05:00', timeZone: 'Europe/Berlin', minNewEvents: 10_000 };
    const base = { events: 5000, trainedEvents: 1000, trainedAt: at('12:00') - 86_400_000 };
    expect(retrainReason({ ...base, now: at('12:00') }, c)).toBeUndefined(); // peak, too few new events
    expect(retrainReason({ ...base, now: at('02:00') }, c)).toBe('off-peak window 02:00-05:00 Europe/Berlin');
    expect(retrainReason({ ...base, now: at('02:30'), trainedAt: at('02:00') }, c)).toBeUndefined(); // done this window
    expect(retrainReason({ ...base, now: at('02:00'), trainedEvents: 5000 }, c)).toBeUndefined(); // nothing new
    expect(retrainReason({ ...base, now: at('12:00'), events: 11_000 }, c)).toBe('10000 new events');
  });

  it('without a window nor a threshold, retrains whenever the log grew (the old timer)', () => {
    expect(retrainReason({ now: 0, events: 2, trainedEvents: 1, trainedAt: 0 }, DEFAULT_RETRAIN)).toBe(
      '1 new events',
    );
    expect(
      retrainReason({ now: 0, events: 1, trainedEvents: 1, trainedAt: 0 }, DEFAULT_RETRAIN),
    ).toBeUndefined();
  });
});
