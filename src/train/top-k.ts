/**
 * A bounded best-k collector for neighbour lists: insertion into k slots,
 * so choosing k of m candidates costs O(m) when most are rejected at the
 * first comparison. Order: higher score, then lower `tie`, then lower id —
 * fully deterministic.
 * @module
 */
export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private readonly ties: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
    this.ties = new Float64Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  private beats(score: number, tie: number, id: number, slot: number): boolean {
    const s = this.scores[slot]!;
    if (score !== s) return score > s;
    const t = this.ties[slot]!;
    if (tie !== t) return tie < t;
    return id < this.ids[slot]!;
  }

  push(id: number, score: number, tie = 0): void {
    const k = this.k;
    if (k === 0) return;
    if (this.size === k && !this.beats(score, tie, id, k - 1)) return;
    let pos = this.size < k ? this.size++ : k - 1;
    while (pos > 0 && this.beats(score, tie, id, pos - 1)) {
      this.ids[pos] = this.ids[pos - 1]!;
      this.scores[pos] = this.scores[pos - 1]!;
      this.ties[pos] = this.ties[pos - 1]!;
      pos--;
    }
    this.ids[pos] = id;
    this.scores[pos] = score;
    this.ties[pos] = tie;
  }

  /** The collected [id, score] pairs, best first. */
  result(): Array<[number, number]> {
    const out: Array<[number, number]> = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = [this.ids[i]!, this.scores[i]!];
    return out;
  }
}
