/**
 * When to resend a batch the server did not take: exponential backoff with
 * full jitter (so shoppers rate-limited together do not come back together),
 * never sooner than the server's `Retry-After`. Only answers that may change
 * on a later try are retried: network errors, 429 and 5xx. A 400 or 413 would
 * fail the same way forever, so those batches are dropped.
 * @module
 */

/** First backoff window, ms (`data-retry-base` on the script tag overrides it, e.g. in tests). */
export const RETRY_BASE_MS = 1000;
/** The window doubles per failed try up to base × 2^5 (32 s at the default base). */
export const RETRY_MAX_DOUBLINGS = 5;

/** What `retryDelay` reads of a fetch response. */
export type ServerAnswer = Pick<Response, 'status'> & { headers: Pick<Headers, 'get'> };

/**
 * Milliseconds to wait before resending a batch after `answer` (undefined:
 * a network error), or undefined when the batch is settled: accepted, or
 * refused for good. `attempt` counts the failures before this one; `random`
 * is in [0, 1).
 */
export function retryDelay(
  answer: ServerAnswer | undefined,
  attempt: number,
  base: number,
  random: number,
  now: number,
): number | undefined {
  if (answer && answer.status !== 429 && answer.status < 500) return undefined;
  return (
    parseRetryAfter(answer?.headers.get('retry-after'), now) +
    random * base * 2 ** Math.min(attempt, RETRY_MAX_DOUBLINGS)
  );
}

/** A `Retry-After` header (delay in seconds, or an HTTP date) as ms from `now`; 0 when absent or past. */
export function parseRetryAfter(value: string | null | undefined, now: number): number {
  const ms = value ? +value * 1000 || Date.parse(value) - now : 0;
  // biome-ignore lint/complexity/useMathMinMax: an unreadable date is NaN, which Math.max would pass on.
  return ms > 0 ? ms : 0;
}
