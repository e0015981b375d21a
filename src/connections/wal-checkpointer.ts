/**
 * WAL checkpoints off the event loop. better-sqlite3 is synchronous, and
 * SQLite's automatic checkpoint runs inside the commit that fills the WAL
 * past 1,000 pages: copying those pages into the database file and syncing
 * it held every request for 10-35 ms, several times a second under ingest
 * (the biggest share of ingest's p99 once write-behind was spread over turns).
 *
 * Here a worker thread with its own connection to the same file runs a
 * PASSIVE checkpoint every `everyMs` (a passive checkpoint never takes the
 * write lock: commits on the main connection go on meanwhile). The main
 * connection keeps an automatic checkpoint, only at a much larger WAL
 * (`BACKSTOP_PAGES`): by then the worker has copied nearly everything, so it
 * is short, and as the only writer it completes, which lets the next commit
 * start the WAL over (a checkpoint racing commits never quite catches up,
 * so the worker alone would let the file grow). If the worker cannot start
 * or dies, the main connection goes back to SQLite's default.
 *
 * Nothing changes for durability: the WAL is the same file with the same
 * syncs; only who copies it into the database, and when, differs.
 * @module
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from './sqlite.js';

/** SQLite's default automatic checkpoint (pages). */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** The main connection's automatic checkpoint while the worker runs (pages, 4 KiB each). */
export const BACKSTOP_PAGES = 8000;
/**
 * How often the worker checkpoints (ms). At 100 ms the backstop still found up to 1,000 pages to copy
 * (ingest p99 22-24 ms); at 20 ms, 15-19 ms, for about 10 % more server CPU (more syncs).
 */
const EVERY_MS = 20;

// CommonJS (an `eval` worker): it loads better-sqlite3 from the path the main thread resolved.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Driver = require(workerData.driver);
const db = new Driver(workerData.path);
db.pragma('busy_timeout = 5000');
let timer;
let lastLog = -1;
const tick = () => {
  // Idle: every frame of the WAL copied and none added since the last look.
  let idle = false;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    idle = r !== undefined && r.checkpointed >= r.log && r.log === lastLog;
    lastLog = r === undefined ? -1 : r.log;
  } catch (e) { parentPort.postMessage(String(e)); }
  timer = setTimeout(tick, idle ? workerData.idleMs : workerData.everyMs);
};
timer = setTimeout(tick, workerData.everyMs);
parentPort.on('message', () => { clearTimeout(timer); db.close(); parentPort.close(); });
`;
/** How often the worker looks while the WAL is empty (an idle node should not wake 50 times a second). */
const IDLE_MS = 500;

/**
 * Start checkpointing `db` (the file at `path`) from a worker thread; returns
 * the function that stops it (before the connection closes). `:memory:` has
 * no WAL: nothing starts.
 */
export function startWalCheckpointer(db: Database, path: string, everyMs = EVERY_MS): () => Promise<void> {
  if (path === ':memory:' || path === '') return async () => {};
  let worker: Worker;
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver, path, everyMs, idleMs: Math.max(everyMs, IDLE_MS) },
    });
  } catch {
    return async () => {};
  }
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  let stopped = false;
  const fallBack = () => {
    if (stopped) return;
    stopped = true;
    try {
      db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    } catch {
      // The connection is closed already: nothing to restore.
    }
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  // A checkpoint error (a full disk) is the main connection's to meet on its next commit; the
  // worker keeps trying, and the backstop checkpoint still bounds the WAL.
  worker.on('message', () => {});
  // A background checkpointer must not keep a process alive.
  worker.unref();
  return async () => {
    if (stopped) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held while it stops: an unref'd worker would let the process end with this promise still
    // pending, and whatever its caller does next (print an error, set the exit code) never runs.
    worker.ref();
    worker.postMessage('stop');
    await exited;
  };
}
