// Small statistics helpers shared by the benchmarks.
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(samples) {
  const s = Float64Array.from(samples).sort();
  return { n: s.length, median: percentile(s, 50), p99: percentile(s, 99), min: s[0], max: s[s.length - 1] };
}

export function median(xs) {
  return summarize(xs).median;
}

export function fmt(n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}
