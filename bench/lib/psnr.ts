/**
 * Image quality measurement for the benchmark: a careful floating-point Lanczos3 reference resize
 * and the PSNR of an engine's output against it.
 *
 * The reference is computed from the full-resolution decode in double precision without rounding,
 * so it is better than any engine can store in 8 bits; a higher PSNR means an output closer to
 * the ideal resize (and to fewer encoder losses).
 */

/** Pixels is an image as 8-bit RGBA (4 bytes a pixel, rows top to bottom). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** FloatPixels is an image as unrounded floating-point RGBA on the 0..255 scale. */
export interface FloatPixels {
  width: number;
  height: number;
  data: Float64Array;
}

/** LANCZOS_LOBES is the filter's half-width in source pixels at scale 1 (Lanczos3). */
const LANCZOS_LOBES = 3;

/** lanczos3 is the Lanczos kernel with three lobes: sinc(x)·sinc(x/3) on |x| < 3, else 0. */
export function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -LANCZOS_LOBES || x >= LANCZOS_LOBES) return 0;
  const px = Math.PI * x;
  return (LANCZOS_LOBES * Math.sin(px) * Math.sin(px / LANCZOS_LOBES)) / (px * px);
}

interface Taps {
  /** First source index for each destination index. */
  start: Int32Array;
  /** Number of taps for each destination index. */
  count: Int32Array;
  /** Normalised weights, `maxTaps` per destination index. */
  weights: Float64Array;
  maxTaps: number;
}

/**
 * taps computes, for each destination sample, the source samples and normalised Lanczos3 weights.
 * When shrinking, the kernel is stretched by the scale factor so it also acts as the low-pass
 * filter; samples outside the image are clamped to the edge.
 */
function taps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const stretch = Math.max(scale, 1);
  const support = LANCZOS_LOBES * stretch;
  const maxTaps = Math.ceil(support) * 2 + 2;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Float64Array(dstSize * maxTaps);
  for (let i = 0; i < dstSize; i++) {
    const center = (i + 0.5) * scale - 0.5;
    const first = Math.ceil(center - support);
    const last = Math.floor(center + support);
    let sum = 0;
    let n = 0;
    for (let j = first; j <= last; j++) {
      const w = lanczos3((j - center) / stretch);
      weights[i * maxTaps + n] = w;
      sum += w;
      n++;
    }
    for (let k = 0; k < n; k++) weights[i * maxTaps + k] /= sum;
    start[i] = first;
    count[i] = n;
  }
  return { start, count, weights, maxTaps };
}

function clampIndex(j: number, size: number): number {
  return j < 0 ? 0 : j >= size ? size - 1 : j;
}

/**
 * lanczos3Resize resizes src to dstWidth x dstHeight with a separable Lanczos3 filter in double
 * precision, without rounding or clamping the result. Channels are filtered independently (the
 * benchmark's inputs are opaque).
 */
export function lanczos3Resize(src: Pixels | FloatPixels, dstWidth: number, dstHeight: number): FloatPixels {
  if (!(dstWidth >= 1 && dstHeight >= 1)) throw new RangeError(`bad size ${dstWidth}x${dstHeight}`);
  const sw = src.width;
  const sh = src.height;
  const sdata = src.data;
  const hx = taps(sw, dstWidth);
  const tmp = new Float64Array(dstWidth * sh * 4);
  for (let y = 0; y < sh; y++) {
    const row = y * sw * 4;
    for (let x = 0; x < dstWidth; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      const base = x * hx.maxTaps;
      for (let k = 0; k < hx.count[x]; k++) {
        const w = hx.weights[base + k];
        const p = row + clampIndex(hx.start[x] + k, sw) * 4;
        r += sdata[p] * w;
        g += sdata[p + 1] * w;
        b += sdata[p + 2] * w;
        a += sdata[p + 3] * w;
      }
      const o = (y * dstWidth + x) * 4;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
      tmp[o + 3] = a;
    }
  }
  const vy = taps(sh, dstHeight);
  const out = new Float64Array(dstWidth * dstHeight * 4);
  for (let y = 0; y < dstHeight; y++) {
    const base = y * vy.maxTaps;
    for (let k = 0; k < vy.count[y]; k++) {
      const w = vy.weights[base + k];
      const srow = clampIndex(vy.start[y] + k, sh) * dstWidth * 4;
      const orow = y * dstWidth * 4;
      for (let i = 0; i < dstWidth * 4; i++) out[orow + i] += tmp[srow + i] * w;
    }
  }
  return { width: dstWidth, height: dstHeight, data: out };
}

/**
 * psnr returns the peak signal-to-noise ratio in dB of image against reference over the R, G and
 * B channels (alpha ignored), with reference values clamped to 0..255. Identical images give
 * Infinity. Both images must have the same size.
 */
export function psnr(image: Pixels | FloatPixels, reference: Pixels | FloatPixels): number {
  if (image.width !== reference.width || image.height !== reference.height) {
    throw new RangeError(
      `psnr: sizes differ: ${image.width}x${image.height} vs ${reference.width}x${reference.height}`,
    );
  }
  const n = image.width * image.height;
  if (n === 0) throw new RangeError('psnr: empty image');
  let sse = 0;
  for (let i = 0; i < n * 4; i += 4) {
    for (let c = 0; c < 3; c++) {
      const ref = Math.min(255, Math.max(0, reference.data[i + c]));
      const d = image.data[i + c] - ref;
      sse += d * d;
    }
  }
  const mse = sse / (n * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
