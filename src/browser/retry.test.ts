import { describe, expect, it } from 'vitest';
import { parseRetryAfter, RETRY_BASE_MS, retryDelay } from './retry.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const answer = (status: number, retryAfter?: string) =>
  new Response(null, { status, headers: retryAfter ? { 'retry-after': retryAfter } : {} });
const NETWORK_ERROR = undefined;

describe('parseRetryAfter', () => {
  it('reads a delay in seconds', () => {
    expect(parseRetryAfter('1', NOW)).toBe(1000);
    expect(parseRetryAfter(' 30 ', NOW)).toBe(30_000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:05 GMT', NOW)).toBe(5000);
  });

  it('waits nothing extra for a missing, past or unreadable header', () => {
    expect(parseRetryAfter(null, NOW)).toBe(0);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBe(0);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });
});

describe('retryDelay', () => {
  it('settles accepted and permanently refused batches', () => {
    for (const status of [200, 202, 400, 403, 413]) {
      expect(retryDelay(status ? answer(status) : NETWORK_ERROR, 0, RETRY_BASE_MS, 0.5, NOW)).toBeUndefined();
    }
  });

  it('retries network errors, 429 and 5xx', () => {
    for (const status of [0, 429, 500, 502, 503]) {
      expect(retryDelay(status ? answer(status) : NETWORK_ERROR, 0, RETRY_BASE_MS, 0.5, NOW)).toBe(500);
    }
  });

  it('draws from a window that doubles per failure and stops growing at 32 times the base', () => {
    const windows = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) =>
      retryDelay(answer(503), attempt, 100, 0.999999, NOW),
    );
    expect(windows.map((w) => Math.round(w ?? -1))).toEqual([100, 200, 400, 800, 1600, 3200, 3200, 3200]);
  });

  it('uses full jitter: anywhere from no wait to the whole window', () => {
    expect(retryDelay(answer(503), 3, 100, 0, NOW)).toBe(0);
    expect(retryDelay(answer(503), 3, 100, 0.25, NOW)).toBe(200);
  });

  it('never resends before Retry-After, and spreads clients past it', () => {
    expect(retryDelay(answer(429, '1'), 0, 100, 0, NOW)).toBe(1000);
    expect(retryDelay(answer(429, '1'), 0, 100, 0.5, NOW)).toBe(1050);
    expect(retryDelay(answer(503, 'Sat, 01 Mar 2025 12:00:02 GMT'), 1, 100, 0, NOW)).toBe(2000);
  });
});
