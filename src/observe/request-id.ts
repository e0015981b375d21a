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
  // 13 hex digits, the first a 1 dropped: 12 with leading zeros, without a padStart.
  return MINTED_PREFIX + (COUNTER_SPAN + minted).toString(16).slice(1);
}

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED.test(header) ? header : mintRequestId();
}
