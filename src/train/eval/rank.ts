/** Top-k selection over a score vector, without sorting the whole catalog. */

/**
 * Indices of the `k` highest finite scores, best first; ties go to the lower
 * index so results do not depend on anything but the scores. Items scored
 * −Infinity (excluded) or NaN never appear.
 */
export function topKIndices(scores: ArrayLike<number>, k: number): Int32Array {
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s > Number.NEGATIVE_INFINITY)) continue;
    if (n === k && s <= val[k - 1]!) continue;
    // Insertion from the end: k is small (10-100), a heap would not pay off.
    let j = n < k ? n++ : k - 1;
    while (j > 0 && val[j - 1]! < s) {
      val[j] = val[j - 1]!;
      idx[j] = idx[j - 1]!;
      j--;
    }
    val[j] = s;
    idx[j] = i;
  }
  return n === k ? idx : idx.slice(0, n);
}
