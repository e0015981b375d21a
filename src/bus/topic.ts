/**
 * What every bus driver checks the same way: topic names, and errors that
 * say which driver they come from.
 * @module
 */
import { TesseraError } from '../core/errors.js';

/**
 * Dot-separated words of letters, digits, `_` and `-`: valid as a NATS subject
 * and a Redis channel alike, and free of wildcards, so no topic can subscribe
 * to another by accident.
 */
const TOPIC = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function busError(driver: string, message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [${driver}] ${message}`, { cause });
}

export function checkTopic(driver: string, topic: string): void {
  if (topic.length > 200 || !TOPIC.test(topic)) {
    throw busError(
      driver,
      `invalid topic ${JSON.stringify(topic)}: use dot-separated words of [A-Za-z0-9_-]`,
    );
  }
}

/** Handlers run outside the driver's delivery loop: one that throws must not stop the others. */
export function deliver(
  handler: (payload: Uint8Array) => void,
  payload: Uint8Array,
  onError?: (e: unknown) => void,
) {
  try {
    handler(payload);
  } catch (e) {
    onError?.(e);
  }
}
