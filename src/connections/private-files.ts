/**
 * Files that hold visitor data (the SQLite store and its WAL, the spool, the
 * model, the audit log, tokens, the secret) are the owner's only: data
 * directories 0700, files 0600. Set per file, with `chmod` after creating,
 * rather than through `process.umask`, which would change the mode of every
 * file the host application creates too.
 * @module
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create `dir` (and missing parents) owner-only; `fix` also tightens a directory that exists. */
export function privateDir(dir: string, opts: { fix?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (opts.fix) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Tighten the files that exist among `paths` to owner-only; missing ones are skipped. */
export function makePrivate(...paths: string[]): void {
  for (const path of paths) {
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/**
 * Create `path` empty and owner-only when missing, and tighten it when it
 * exists. SQLite creates a database's `-wal` and `-shm` files with the
 * database file's mode, so a database created this way keeps them private too.
 */
export function privateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** A SQLite file and its companions. */
export function sqliteFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}
