/**
 * A small seeded random source: sfc32 for uniforms, Box–Muller normals,
 * Marsaglia–Tsang gammas and betas from them. Reproducible across runs and
 * runtimes, which Math.random is not.
 * @module
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  normal(): number;
  gamma(shape: number): number;
  beta(a: number, b: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** Spread a 32-bit seed over four words (splitmix32). */
function splitmix(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function seededRandom(seed: number): Random {
  const init = splitmix(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const gamma = (shape: number): number => {
    if (shape < 1) {
      // Boost: Γ(k) = Γ(k+1) · U^{1/k}.
      const u = next() || Number.MIN_VALUE;
      return gamma(shape + 1) * u ** (1 / shape);
    }
    const d3 = shape - 1 / 3;
    const c3 = 1 / Math.sqrt(9 * d3);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c3 * x;
      } while (v <= 0);
      v = v * v * v;
      const u = next();
      if (u < 1 - 0.0331 * x ** 4) return d3 * v;
      if (Math.log(u) < 0.5 * x * x + d3 * (1 - v + Math.log(v))) return d3 * v;
    }
  };
  return {
    next,
    normal,
    gamma,
    beta(a, b) {
      const x = gamma(a);
      const y = gamma(b);
      return x / (x + y);
    },
    int: (n) => Math.floor(next() * n),
  };
}
