/**
 * Admin token records in `<data-dir>/admin-tokens.json` (mode 0600): hashes,
 * scopes, names, creation times. Re-read when the file changes, so a token
 * minted or revoked by `tessera admin token` takes effect on a running
 * server at its next admin call.
 * @module
 */
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isScope, type TokenBook, type TokenRecord } from './tokens.js';

export const TOKEN_FILE = 'admin-tokens.json';

export function tokenFilePath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE);
}

function parse(path: string, text: string): TokenRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`[tessera] [admin] ${path} is not JSON`, { cause: e });
  }
  const list = (data as { tokens?: unknown }).tokens;
  if (!Array.isArray(list)) throw new Error(`[tessera] [admin] ${path}: expected { "tokens": [...] }`);
  return list.filter(
    (r): r is TokenRecord =>
      typeof r?.name === 'string' &&
      typeof r?.hash === 'string' &&
      Array.isArray(r?.scopes) &&
      r.scopes.every((s: unknown) => typeof s === 'string' && isScope(s)),
  );
}

export function readTokenFile(path: string): TokenRecord[] {
  if (!existsSync(path)) return [];
  return parse(path, readFileSync(path, 'utf8'));
}

/** Write atomically (temp file + rename), readable by the owner only. */
export function writeTokenFile(path: string, records: readonly TokenRecord[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ tokens: records }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * A book that re-reads the file when it changes. Writes replace the file by
 * rename, so the inode changes with every write even within one millisecond.
 */
export function fileTokenBook(path: string): TokenBook {
  let seen = '';
  let cached: TokenRecord[] = [];
  return {
    records() {
      const st = existsSync(path) ? statSync(path) : undefined;
      const version = st ? `${st.ino}:${st.mtimeMs}:${st.size}` : 'none';
      if (version !== seen) {
        cached = st ? readTokenFile(path) : [];
        seen = version;
      }
      return cached;
    },
  };
}
