/**
 * The admin audit trail on Node: JSONL in `<dataDir>/audit.log`, readable
 * by the owner only, written before the reply leaves.
 * @module
 */
import { appendFileSync, chmodSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry, AuditSink } from './audit.js';

export const AUDIT_FILE = 'audit.log';
/** How much of the trail's end `read` parses: the dashboard polls are in it too, a day is a few MB. */
const TAIL_BYTES = 4 * 1024 * 1024;

function tail(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    // A cut first line is not an entry.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}

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
    read() {
      const out: AuditEntry[] = [];
      for (const line of tail(path).split('\n')) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as AuditEntry);
        } catch {
          // A line torn by a crash mid-write: skip it.
        }
      }
      return out;
    },
  };
}
