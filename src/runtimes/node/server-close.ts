/**
 * Closing the HTTP server within a bound. `server.close()` stops accepting
 * and closes idle keep-alive connections, then waits for every request in
 * flight to be answered: one that never is (a client that stops sending its
 * body, a handler waiting on a dependency that never answers) would keep a
 * shutdown waiting forever, and the orchestrator's SIGKILL would then take
 * the write-behind profiles with it. After the grace period the connections
 * still open are closed, so the shutdown goes on to flush and close the
 * stores.
 * @module
 */
import type { Server } from 'node:http';

/** How long requests in flight get to finish at shutdown (ms). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/**
 * Stops accepting, lets requests in flight finish for up to `graceMs`, then
 * closes every connection still open. Resolves once the server is closed:
 * `cut` says whether the grace period ran out.
 */
export function closeServer(server: Server, graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<{ cut: boolean }> {
  return new Promise((resolve) => {
    let cut = false;
    const timer = setTimeout(
      () => {
        cut = true;
        server.closeAllConnections();
      },
      Math.max(0, graceMs),
    );
    server.close(() => {
      clearTimeout(timer);
      resolve({ cut });
    });
  });
}
