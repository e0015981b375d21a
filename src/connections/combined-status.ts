/**
 * The state of a driver that holds two connections (a publisher and a
 * subscriber): ready only when both are, down when either is.
 * @module
 */
import type { ConnectionState, DriverStatus } from './status.js';

export function combinedState(parts: ConnectionState[]): ConnectionState {
  const status = (): DriverStatus => {
    const all = parts.map((p) => p.status());
    if (all.includes('down')) return 'down';
    return all.every((s) => s === 'ready') ? 'ready' : 'connecting';
  };
  return {
    status,
    onStatus(listener) {
      let last = status();
      const offs = parts.map((p) =>
        p.onStatus(() => {
          const next = status();
          if (next === last) return;
          last = next;
          listener(next);
        }),
      );
      return () => {
        for (const off of offs) off();
      };
    },
  };
}
