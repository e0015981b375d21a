/**
 * The Gaussian mechanism of DP-FedAvg (McMahan et al., "Learning
 * Differentially Private Recurrent Language Models", ICLR 2018): after secure
 * aggregation reveals the sum of the round's clipped updates, the server adds
 * N(0, (z·C)²) to every coordinate before anything leaves the aggregator.
 * @module
 */

/** Uniform in [0, 1). */
export type UniformSource = () => number;

/** Uniform from the platform's CSPRNG (crypto.getRandomValues), 53 bits per draw. */
export function cryptoUniform(): UniformSource {
  const buf = new Uint32Array(1024);
  let at = buf.length;
  return () => {
    if (at + 2 > buf.length) {
      crypto.getRandomValues(buf);
      at = 0;
    }
    const hi = buf[at++]! >>> 5;
    const lo = buf[at++]! >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
}

/** Adds N(0, sigma²) to each coordinate in place (Box–Muller). */
export function addGaussianNoise(v: Float64Array, sigma: number, uniform: UniformSource): void {
  if (sigma === 0) return;
  for (let i = 0; i < v.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform())) * sigma;
    const t = 2 * Math.PI * uniform();
    v[i]! += r * Math.cos(t);
    if (i + 1 < v.length) v[i + 1]! += r * Math.sin(t);
  }
}
