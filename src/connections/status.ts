/**
 * What a networked driver (Redis, NATS) tells the node about its backend:
 * a connection state for `/health`, change notifications for degraded mode,
 * and one typed error for "the dependency is not there right now".
 *
 * Every networked driver fails fast instead of queueing: while its backend is
 * down an operation rejects at once with a `DependencyDownError`, so callers
 * (the spool, degraded mode) decide what to do, and nothing hangs.
 * @module
 */
import { TesseraError } from '../core/errors.js';

/** `ready`: connected. `connecting`: first attempt in flight. `down`: the last attempt failed. */
export type DriverStatus = 'ready' | 'connecting' | 'down';

export interface ConnectionState {
  status(): DriverStatus;
  /** Called on every change of `status()`; returns a function that stops the calls. */
  onStatus(listener: (status: DriverStatus) => void): () => void;
}

/**
 * The backend is unreachable, timed out or closed: a 503 at the HTTP edge.
 * `service` and `address` say which one; `cause` holds the client's error.
 */
export class DependencyDownError extends TesseraError {
  readonly service: string;
  readonly address: string;

  constructor(service: string, address: string, what: string, cause?: unknown) {
    super(503, `[tessera] [${service}] ${what} (${address})`, { cause });
    this.name = 'DependencyDownError';
    this.service = service;
    this.address = address;
  }
}

export function isDependencyDown(e: unknown): e is DependencyDownError {
  return e instanceof DependencyDownError;
}

/** A short phrase for a socket error: `connection refused`, `host not found`, ... */
export function describeConnectError(e: unknown): string {
  const code = errorCode(e);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connect timed out';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    default:
      return 'not connected';
  }
}

function errorCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === 'object' && depth < 4; depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
    x = (x as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Holds a status and tells listeners when it changes. */
export class StatusTracker implements ConnectionState {
  private current: DriverStatus;
  private readonly listeners = new Set<(s: DriverStatus) => void>();

  constructor(initial: DriverStatus = 'connecting') {
    this.current = initial;
  }

  status(): DriverStatus {
    return this.current;
  }

  set(next: DriverStatus): void {
    if (next === this.current) return;
    this.current = next;
    for (const listener of [...this.listeners]) listener(next);
  }

  onStatus(listener: (s: DriverStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the status leaves `connecting`, or after `ms`, whichever is first. */
  settled(ms: number): Promise<void> {
    if (this.current !== 'connecting') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = this.onStatus((s) => {
        if (s !== 'connecting') done();
      });
    });
  }
}
