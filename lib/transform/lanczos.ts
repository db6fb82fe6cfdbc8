/**
 * The Lanczos3 kernel and its taps, computed exactly as github.com/disintegration/imaging does
 * (Go's own sine, the same normalisation), so that the resamplers built on them can match the
 * Go server's output.
 */

/** LANCZOS_SUPPORT is the radius of the Lanczos3 kernel in source pixels (at scale 1). */
export const LANCZOS_SUPPORT = 3;

/** Go's 4/math.Pi constant, rounded once from the exact value (it equals 4/Math.PI in float64). */
const FOUR_OVER_PI = 1.2732395447351628;
const PI4A = 7.85398125648498535156e-1;
const PI4B = 3.77489470793079817668e-8;
const PI4C = 2.69515142907905952645e-15;
const S0 = 1.58962301576546568060e-10;
const S1 = -2.50507477628578072866e-8;
const S2 = 2.75573136213857245213e-6;
const S3 = -1.98412698295895385996e-4;
const S4 = 8.33333333332211858878e-3;
const S5 = -1.66666666666666307295e-1;
const C0 = -1.13585365213876817300e-11;
const C1 = 2.08757008419747316778e-9;
const C2 = -2.75573141792967388112e-7;
const C3 = 2.48015872888517045348e-5;
const C4 = -1.38888888888730564116e-3;
const C5 = 4.16666666666665929218e-2;

/**
 * goSin is Go's pure-Go math.Sin (the Cephes polynomial Go uses on amd64) for |x| < 2^29.
 *
 * JavaScript's Math.sin may differ from it in the last bit, and the weights feed an 8-bit
 * rounding, so the kernel uses Go's own sine to keep results byte-identical.
 */
export function goSin(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let j = Math.floor(x * FOUR_OVER_PI);
  let y = j;
  if (j % 2 === 1) {
    j++;
    y++;
  }
  j %= 8;
  const z = ((x - y * PI4A) - y * PI4B) - y * PI4C;
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  const zz = z * z;
  if (j === 1 || j === 2) {
    y = 1.0 - 0.5 * zz + zz * zz * ((((((C0 * zz) + C1) * zz + C2) * zz + C3) * zz + C4) * zz + C5);
  } else {
    y = z + z * zz * ((((((S0 * zz) + S1) * zz + S2) * zz + S3) * zz + S4) * zz + S5);
  }
  return sign ? -y : y;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  return goSin(Math.PI * x) / (Math.PI * x);
}

/** lanczos is the Lanczos3 kernel, sinc(x)*sinc(x/3) inside |x| < 3. */
export function lanczos(x: number): number {
  x = Math.abs(x);
  return x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/**
 * lanczosOneSine is the Lanczos3 kernel from a single sine: sin(pi x) comes from sin(pi x / 3)
 * by the triple-angle identity, which halves the cost of the taps. Its values differ from
 * lanczos' in the last bits, so it serves the fixed-point passes (planar.ts), whose 14-bit
 * taps it changes in ~7 of a million, not the float ones that match the Go server byte for byte.
 */
export function lanczosOneSine(x: number): number {
  x = Math.abs(x);
  if (x >= 3) return 0;
  if (x === 0) return 1;
  const a = Math.PI * (x / 3);
  const s = goSin(a);
  return ((s * (3 - 4 * s * s)) / (Math.PI * x)) * (s / a);
}

/**
 * Weights are the precomputed taps of a one-dimensional resample: output i reads source
 * indices index[start[i] .. start[i+1]) with the matching normalised weights.
 */
export interface Weights {
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

/**
 * Span is the part of a source axis a resample reads, in (possibly fractional) source pixels:
 * a decode-time reduced image covers `size/shrink` pixels of the original, not its rounded-up
 * pixel count, and sampling its last partial pixel as a whole one would shift the output.
 */
export interface Span {
  /** Where the span starts. */
  offset: number;
  /** How long it is. */
  length: number;
}

/**
 * precomputeWeights computes the Lanczos3 taps for resampling srcSize pixels to dstSize; with
 * `span`, output pixels map onto that part of the source axis instead of all srcSize pixels.
 * `kernel` is lanczos unless a caller trades its last bits for speed (lanczosOneSine).
 */
export function precomputeWeights(
  dstSize: number, srcSize: number, span: Span = { offset: 0, length: srcSize }, kernel: (x: number) => number = lanczos,
): Weights {
  const du = span.length / dstSize;
  const scale = du < 1 ? 1 : du;
  const ru = Math.ceil(scale * LANCZOS_SUPPORT);
  const maxTaps = dstSize * (2 * ru + 1);
  const index = new Int32Array(maxTaps);
  const weight = new Float64Array(maxTaps);
  const start = new Int32Array(dstSize + 1);
  let n = 0;
  for (let v = 0; v < dstSize; v++) {
    const fu = span.offset + (v + 0.5) * du - 0.5;
    const begin = Math.max(0, Math.ceil(fu - ru));
    const end = Math.min(srcSize - 1, Math.floor(fu + ru));
    const first = n;
    let sum = 0;
    for (let u = begin; u <= end; u++) {
      const w = kernel((u - fu) / scale);
      if (w !== 0) {
        sum += w;
        index[n] = u;
        weight[n] = w;
        n++;
      }
    }
    if (sum !== 0) for (let k = first; k < n; k++) weight[k] /= sum;
    start[v] = first;
  }
  start[dstSize] = n;
  return { start, index: index.subarray(0, n), weight: weight.subarray(0, n) };
}
