/**
 * The admin audit trail on Node: JSONL in `<dataDir>/audit.log`, readable
 * by the owner only, written before the reply leaves.
 * @module
 */
import { appendFileSync, chmodSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditSink } from './audit.js';

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
