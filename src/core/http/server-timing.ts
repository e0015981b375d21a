/**
 * Server-Timing: the decision broken down by step, so a developer sees in the
 * browser's network panel where the milliseconds went.
 */
export class Timing {
  private readonly marks: Array<[string, number]> = [];
  private last: number;

  constructor(private readonly now: () => number) {
    this.last = now();
  }

  /** Close the current step under `name`. */
  step(name: string): void {
    const t = this.now();
    this.marks.push([name, t - this.last]);
    this.last = t;
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
