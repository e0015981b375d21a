/**
 * Server-Timing: the decision broken down by step, so a developer sees in the
 * browser's network panel where the milliseconds went.
 */
export class Timing {
  private readonly marks: Array<[string, number]> = [];
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
    this.marks.push([name, t - this.last]);
    this.last = t;
  }

  /**
   * Move `ms` of the step just closed into a step of its own, before it: a
   * stage that runs inside another (experiment assignment inside the
   * decision) gets its own line without splitting the code that runs it.
   */
  carve(name: string, ms: number): void {
    const last = this.marks.pop();
    if (!last) return;
    const part = Math.min(ms, last[1]);
    this.marks.push([name, part], [last[0], last[1] - part]);
  }

  /** Each step's name and milliseconds, in order (for metrics). */
  eachStep(fn: (name: string, ms: number) => void): void {
    for (const [name, dur] of this.marks) fn(name, dur);
  }

  /** Milliseconds over every step so far. */
  total(): number {
    let total = 0;
    for (const [, dur] of this.marks) total += dur;
    return total;
  }

  header(): string {
    let total = 0;
    let out = '';
    for (const [name, dur] of this.marks) {
      total += dur;
      out += `${name};dur=${dur.toFixed(3)}, `;
    }
    return `${out}total;dur=${total.toFixed(3)}`;
  }
}
