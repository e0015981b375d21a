/**
 * The logger of one request: its lines name the request (`requestId`), so an
 * operator can find every line a request wrote. Code on the request path
 * receives it explicitly (a request's id is not looked up from an async
 * context: on Node 20 AsyncLocalStorage runs a hook for every promise of every
 * request, about a sixth of a page's CPU). Background work started by a
 * request (write-behind, the bus, sweeps) logs through the engine's own
 * logger: its lines belong to no request.
 * @module
 */
import type { Logger } from './ports.js';

/**
 * `base` bound to `requestId`. The bound child is made by the first line
 * written, not before: most requests write none. Without an id, or with a
 * logger that cannot bind one, `base` itself.
 */
export function requestLogger(base: Logger, requestId: string | undefined): Logger {
  if (requestId === undefined || base.forRequest === undefined) return base;
  return new LazyRequestLogger(base, requestId);
}

/** Methods, not closures (one object per request): the engine calls them on the logger, never handed on alone. */
class LazyRequestLogger implements Logger {
  private bound: Logger | undefined;

  constructor(
    private readonly base: Logger,
    readonly requestId: string,
  ) {}

  private child(): Logger {
    if (this.bound === undefined) this.bound = this.base.forRequest?.(this.requestId) ?? this.base;
    return this.bound;
  }

  debug(msg: string, data?: Record<string, unknown>): void {
    this.child().debug(msg, data);
  }

  info(msg: string, data?: Record<string, unknown>): void {
    this.child().info(msg, data);
  }

  warn(msg: string, data?: Record<string, unknown>): void {
    this.child().warn(msg, data);
  }

  error(msg: string, data?: Record<string, unknown>): void {
    this.child().error(msg, data);
  }

  logs(level: 'debug' | 'info' | 'warn' | 'error'): boolean {
    return this.base.logs?.(level) ?? true;
  }

  /** Another request's logger: bound from the engine's own, never nested in this one. */
  forRequest(requestId: string): Logger {
    return requestLogger(this.base, requestId);
  }
}
