/** A plain console logger with a level; one line per message. */
import type { Logger } from '../../core/ports.js';

const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 } as const;
export type Level = keyof typeof LEVELS;

export function consoleLogger(level: Level = 'info'): Logger {
  const min = LEVELS[level];
  const out = (l: Level) => (msg: string, data?: Record<string, unknown>) => {
    if (LEVELS[l] < min) return;
    const line = data ? `${msg} ${JSON.stringify(data)}` : msg;
    (l === 'error' || l === 'warn' ? console.error : console.log)(line);
  };
  return { debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') };
}
