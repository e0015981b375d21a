/**
 * The spool's interface: where a node keeps the writes a dependency could
 * not take, until `replay.ts` hands them back. Runtime-agnostic; the Node
 * runtime's SQLite file is one implementation (`runtimes/node/spool.ts`).
 * @module
 */
export type SpoolTarget = 'log' | 'store';

export interface SpoolEntry {
  seq: number;
  target: SpoolTarget;
  /** What to do on replay: `append`, `merge`, `delete`, `unlink`, `link`, `deleteVisitor`. */
  kind: string;
  visitor: string;
  body: Uint8Array;
  /** Failed replays so far. */
  attempts: number;
}

export interface Spool {
  readonly path: string;
  append(target: SpoolTarget, kind: string, visitor: string, body?: Uint8Array): number;
  /** How many entries of `target` wait (all targets when omitted). */
  pending(target?: SpoolTarget): number;
  /** The oldest `limit` entries of `target`, oldest first. */
  peek(target: SpoolTarget, limit: number): SpoolEntry[];
  remove(seq: number): void;
  /** Count a failed replay of the entry. */
  failed(seq: number): void;
  close(): void;
}
