/**
 * The request id of the request being served, for log lines: taken from the
 * client's `X-Request-Id` when it is a plain token (a proxy's or a load
 * balancer's id, so one id follows the request through), else minted here.
 * It travels with the request's async work (AsyncLocalStorage), so a log
 * line written deep in the engine names its request without the engine
 * passing it along.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const scope = new AsyncLocalStorage<string>();

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
  return MINTED_PREFIX + minted.toString(16).padStart(12, '0');
}

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED.test(header) ? header : mintRequestId();
}

/** Runs `fn` with `id` as the current request id. */
export function withRequestId<T>(id: string, fn: () => T): T {
  return scope.run(id, fn);
}

/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}
