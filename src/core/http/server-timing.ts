/**
 * Server-Timing: the decision broken down by step, so a developer sees in the
 * browser's network panel where the milliseconds went.
 */
import { isSafeHeaderValue } from './reply.js';

export class Timing {
  /** Step names and their milliseconds, side by side (no pair allocated per step). */
  private readonly names: string[] = [];
  private readonly durations: number[] = [];
  private last: number;
  /** When the first step began (the `now` clock): where a trace places the steps. */
  readonly started: number;

  constructor(private readonly now: () => number) {
    this.last = now();
    this.started = this.last;
  }

  /** Close the current step under `name`. */
  step(name: string): void {
    const t = this.now();
    this.names.push(name);
    this.durations.push(t - this.last);
    this.last = t;
  }

  /**
   * Move `ms` of the step just closed into a step of its own, before it: a
   * stage that runs inside another (experiment assignment inside the
   * decision) gets its own line without splitting the code that runs it.
   */
  carve(name: string, ms: number): void {
    const i = this.names.length - 1;
    if (i < 0) return;
    const whole = this.durations[i]!;
    const part = Math.min(ms, whole);
    const last = this.names[i]!;
    this.names[i] = name;
    this.durations[i] = part;
    this.names.push(last);
    this.durations.push(whole - part);
  }

  /** Each step's name and milliseconds, in order (for metrics). */
  eachStep(fn: (name: string, ms: number) => void): void {
    for (let i = 0; i < this.names.length; i++) fn(this.names[i]!, this.durations[i]!);
  }

  /** Milliseconds over every step so far. */
  total(): number {
    let total = 0;
    for (const dur of this.durations) total += dur;
    return total;
  }

  /**
   * Whether every step name is tab and printable ASCII, so `header()` is too
   * (its numbers always are): a page's Server-Timing line then needs no
   * check of its own (`safeHeaderValue` would return it as it is).
   */
  printable(): boolean {
    for (const name of this.names) if (!printable(name)) return false;
    return true;
  }

  header(): string {
    let total = 0;
    let out = '';
    for (let i = 0; i < this.names.length; i++) {
      const dur = this.durations[i]!;
      total += dur;
      out += `${this.names[i]};dur=${fixed3(dur)}, `;
    }
    return `${out}total;dur=${fixed3(total)}`;
  }
}

/** Names found printable: step names and profile sources, a handful; bounded all the same. */
const printableNames = new Set<string>();
const MAX_PRINTABLE_NAMES = 256;

/** Whether `text` is tab and printable ASCII; a short name found so is remembered, not scanned again. */
export function printable(text: string): boolean {
  if (printableNames.has(text)) return true;
  if (!isSafeHeaderValue(text)) return false;
  if (text.length <= 64) {
    if (printableNames.size >= MAX_PRINTABLE_NAMES) printableNames.clear();
    printableNames.add(text);
  }
  return true;
}

/**
 * `ms.toFixed(3)` for a duration, from integers: microseconds split at the
 * point. Nine of these per page, and number formatting is the slow part.
 */
export function fixed3(ms: number): string {
  if (!(ms >= 0) || ms >= 1e9) return ms.toFixed(3);
  const us = Math.round(ms * 1000);
  const whole = Math.floor(us / 1000);
  const frac = us - whole * 1000;
  return `${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}
