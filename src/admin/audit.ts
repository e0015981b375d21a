/**
 * The admin audit trail: one JSON line per admin call, allowed or refused.
 * It names the token (never the token itself), the route, the outcome and
 * the visitor or experiment the call was about.
 * @module
 */
import { appendFileSync, chmodSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface AuditEntry {
  /** ISO time. */
  time: string;
  /** The token's name, or "none" when no known token was presented. */
  token: string;
  method: string;
  route: string;
  status: number;
  /** The visitor id or experiment key the call was about. */
  target?: string;
}

export interface AuditSink {
  write(entry: AuditEntry): void;
}

export const AUDIT_FILE = 'audit.log';

/** Append JSONL to `<dataDir>/audit.log`, created readable by the owner only. */
export function fileAuditSink(dataDir: string): AuditSink & { path: string } {
  const path = join(dataDir, AUDIT_FILE);
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600); // a file from before keeps its old mode otherwise
  return {
    path,
    // Synchronous on purpose: the entry is on disk before the reply leaves.
    write(entry) {
      appendFileSync(path, `${JSON.stringify(entry)}\n`);
    },
  };
}

/** Keeps entries in memory (tests, runtimes without a file system). */
export function memoryAuditSink(): AuditSink & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return { entries, write: (e) => void entries.push(e) };
}
