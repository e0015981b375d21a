/**
 * Latency and errors of the store, the log and the bus, measured once at
 * wiring time: each driver is wrapped as it is opened, so no driver carries
 * metrics code. The wrapper is a Proxy: everything that is not a timed
 * operation (a driver's name, its connection status) reads through untouched,
 * and operations run on the driver itself (private fields keep working).
 *
 * Bus lag: a node hears its own publishes back (Redis, NATS and memory alike),
 * so the time from `publish` to that delivery is the bus's lag, measured
 * without a timestamp in the envelope.
 * @module
 */
import type { Bus, EventLog, ProfileStore } from '../core/ports.js';
import type { IngestFallback } from '../core/profile-service.js';
import type { Metrics, Port } from './metrics.js';

const OPERATIONS: Record<Port, ReadonlySet<string>> = {
  store: new Set(['get', 'merge', 'delete', 'link', 'resolve', 'aliases', 'unlink', 'sweep', 'reencrypt']),
  log: new Set(['append', 'read', 'deleteVisitor', 'sweep', 'count']),
  bus: new Set(['publish', 'subscribe']),
};

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

/** `driver` with its port's operations timed into `metrics`. */
export function timed<T extends ProfileStore | EventLog | Bus>(port: Port, driver: T, metrics: Metrics): T {
  const ops = OPERATIONS[port];
  const lag = port === 'bus' ? busLagClock(metrics) : undefined;
  // One wrapper per method, made on first use and kept while the driver's method stays the same
  // function: every `/collect` calls the log and the store through here, and a closure (or a
  // `bind`) made per call was garbage per request.
  const wrappers = new Map<string | symbol, { value: Method; wrapper: Method }>();
  return new Proxy(driver, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const method = value as Method;
      const known = wrappers.get(key);
      if (known !== undefined && known.value === method) return known.wrapper;
      const wrapper =
        typeof key !== 'string' || !ops.has(key) ? method.bind(target) : timedCall(target, key, method);
      wrappers.set(key, { value: method, wrapper });
      return wrapper;
    },
  });

  function timedCall(target: T, key: string, value: Method): Method {
    return (...args: unknown[]) => {
      if (lag && key === 'publish') lag.sent(args[0] as string, args[1] as Uint8Array);
      if (lag && key === 'subscribe') args[1] = lag.wrap(args[0] as string, args[1] as Handler);
      const t0 = performance.now();
      const done = (failed: boolean) =>
        metrics.operation(port, target.name, key, (performance.now() - t0) / 1000, failed);
      let result: unknown;
      try {
        result = value.apply(target, args);
      } catch (e) {
        done(true);
        throw e;
      }
      if (!isThenable(result)) {
        done(false);
        return result;
      }
      return Promise.resolve(result).then(
        (r) => {
          done(false);
          return r;
        },
        (e: unknown) => {
          done(true);
          throw e;
        },
      );
    };
  }
}

type Handler = (payload: Uint8Array) => void;
type Method = (...args: unknown[]) => unknown;

const MAX_IN_FLIGHT = 1024;

/** Publish times of messages not yet seen back, keyed by topic and a hash of the bytes. */
function busLagClock(metrics: Metrics) {
  const sentAt = new Map<string, number>();
  const keyOf = (topic: string, payload: Uint8Array) => `${topic}|${payload.byteLength}|${fnv32(payload)}`;
  return {
    sent(topic: string, payload: Uint8Array) {
      // Bounded: messages that never come back (a bus that does not echo) fall out oldest first.
      if (sentAt.size >= MAX_IN_FLIGHT) sentAt.delete(sentAt.keys().next().value as string);
      sentAt.set(keyOf(topic, payload), performance.now());
    },
    wrap(topic: string, handler: Handler): Handler {
      return (payload) => {
        const key = keyOf(topic, payload);
        const at = sentAt.get(key);
        if (at !== undefined) {
          sentAt.delete(key);
          metrics.busLag((performance.now() - at) / 1000);
        }
        handler(payload);
      };
    },
  };
}

function fnv32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h >>> 0;
}

/** The ingest fallback, counting the events it spools. */
export function countedFallback(fallback: IngestFallback, metrics: Metrics): IngestFallback {
  return {
    isUnavailable: (e) => fallback.isUnavailable(e),
    busy: () => fallback.busy(),
    async defer(visitor, events) {
      await fallback.defer(visitor, events);
      metrics.observer.ingest('spooled', events.length);
    },
  };
}
