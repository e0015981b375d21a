/**
 * The Node logger: one JSON line per message, `{"time","level","msg","node",
 * "requestId"?, ...data}`, with a minimum level. Fields use the metrics'
 * names (`route`, `status`, `duration_seconds`), so a log line and a series
 * can be matched. Warnings and errors go to stderr, the rest to stdout.
 * @module
 */
import type { Logger } from '../../core/ports.js';

const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 } as const;
export type Level = keyof typeof LEVELS;

export function isLevel(x: unknown): x is Level {
  return typeof x === 'string' && Object.hasOwn(LEVELS, x);
}

export interface LoggerOptions {
  /** The node id every line carries. */
  node?: string;
  /** Where lines go (default: stdout, stderr for warn and error). */
  write?: (line: string, level: Level) => void;
}

const FIXED = new Set(['time', 'level', 'msg', 'node', 'requestId']);

function writeConsole(line: string, level: Level): void {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

export function consoleLogger(level: Level = 'info', opts: LoggerOptions = {}): Logger {
  const min = LEVELS[level];
  const write = opts.write ?? writeConsole;
  const emit = (l: Level, requestId: string | undefined, msg: string, data?: Record<string, unknown>) => {
    if (LEVELS[l] < min) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: l, msg };
    if (opts.node !== undefined) line.node = opts.node;
    if (requestId !== undefined) line.requestId = requestId;
    const fixed = JSON.stringify(line);
    if (!data) return write(fixed, l);
    // The fixed fields are the line's own: data never overwrites them.
    for (const [k, v] of Object.entries(data)) if (!FIXED.has(k)) line[k] = v;
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch {
      text = `${fixed.slice(0, -1)},"data":"[unserialisable]"}`;
    }
    write(text, l);
  };
  // A request's logger: the same lines, with its id (the engine binds one per request that logs).
  // Closures, not methods: callers may hand a method on by itself (`logger.warn`).
  const bound = (requestId: string | undefined): Logger => ({
    debug: (msg, data) => emit('debug', requestId, msg, data),
    info: (msg, data) => emit('info', requestId, msg, data),
    warn: (msg, data) => emit('warn', requestId, msg, data),
    error: (msg, data) => emit('error', requestId, msg, data),
    forRequest: bound,
    logs: (l) => LEVELS[l] >= min,
  });
  return bound(undefined);
}
