/**
 * The request id of the request being served, for log lines: taken from the
 * client's `X-Request-Id` when it is a plain token (a proxy's or a load
 * balancer's id, so one id follows the request through), else minted here.
 * The server hands it to the engine with the request (`RequestLike.requestId`),
 * and the engine's request path logs through a logger bound to it
 * (core/request-logger.ts). Not an AsyncLocalStorage: on Node 20 that runs a
 * hook for every promise of every request, about a sixth of a page's CPU.
 * @module
 */
import { randomUUID } from 'node:crypto';

/** Letters, digits and `._:-`, 1-128 of them: anything else is not echoed or logged. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Minted ids: one random UUID per process, its last 12 hex digits replaced
 * by a counter. Unique (the counter within the process, the random part
 * across processes) and shaped like any UUID, without a random draw per
 * request: `randomUUID` refills its entropy every 128 ids, a cost the page
 * path paid on every request. A request id names a request; it is no secret.
 */
const MINTED_PREFIX = randomUUID().slice(0, 24);
let minted = Number.parseInt(randomUUID().slice(24, 32), 16);
const COUNTER_SPAN = 2 ** 48;

function mintRequestId(): string {
  minted = (minted + 1) % COUNTER_SPAN;
  return mintedId(minted);
}

const LOW_SPAN = 2 ** 24;
/** The upper 24 bits of the counter last minted with, and the id's start they make. */
let highOf = -1;
let highStart = '';

/**
 * The id minted for counter value `n` (0 ≤ n < 2^48): the prefix, then `n`
 * as 12 hex digits with leading zeros. In two halves of 6 digits each (7,
 * the first a 1 dropped, so no padStart): a 24-bit number prints in a
 * fraction of the time a 48-bit one does, and the upper half, which changes
 * once in 16 million ids, is printed only then.
 */
export function mintedId(n: number): string {
  const low = n % LOW_SPAN;
  const high = (n - low) / LOW_SPAN;
  if (high !== highOf) {
    highOf = high;
    highStart = MINTED_PREFIX + (LOW_SPAN + high).toString(16).slice(1);
  }
  return highStart + (LOW_SPAN + low).toString(16).slice(1);
}

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED.test(header) ? header : mintRequestId();
}
