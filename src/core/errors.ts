/**
 * One typed error for the HTTP edge: a status, a message that says where it
 * comes from, and `toResponse()`. Bad input never becomes a bare 500.
 * @module
 */
import { errorReply, toResponse } from './http/reply.js';

export class TesseraError extends Error {
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TesseraError';
    this.status = status;
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }

  /** The same reply `errorReply` builds (nosniff, no control characters), as a Web Response. */
  toResponse(): Response {
    return toResponse(errorReply(this));
  }
}

export function isTesseraError(e: unknown): e is TesseraError {
  return e instanceof TesseraError;
}
