/**
 * The YCbCr fast path for JPEG to JPEG resizes: the decoded luma and chroma planes are
 * resampled where they stand and handed to the encoder as 4:2:0 planes.
 *
 * The RGB path upsamples chroma, converts every pixel to RGB, resamples three channels,
 * converts back and averages chroma down again. Resampling is linear, so doing it on the
 * planes gives the same picture (up to rounding) for well under half the work: one full-size
 * channel and two quarter-size ones, and no colour conversion at all.
 */
import type { JpegPlanes } from '../codecs/jpegfast/decoder.js';
import type { Plane } from '../codecs/jpegfast/color.js';
import type { YccPlanes } from '../codecs/jpegfast/encoder.js';
import type { Rect, ResizeStep, SourceWindow } from './geometry.js';
import { precomputeWeights, type Span, type Weights } from './resample.js';
import { resizePlane, type PlaneView } from './planepass.js';

/**
 * AxisCut is one axis of a crop-then-resample on one plane: the crop's sample range and the
 * window inside it that the resample reads, and the output size. cutsFor gives it in luma
 * samples; chromaCut maps it onto a chroma plane.
 */
export interface AxisCut {
  /** First and one-past-last cropped sample. */
  start: number;
  end: number;
  /** The part of the cropped range the resample reads, in fractional samples from `start`. */
  window: Span;
  /** Output size on this axis. */
  size: number;
}

/**
 * cutsFor turns resize steps into one AxisCut per axis when they are a single resample,
 * optionally preceded by a crop (the only shapes the fast path takes), else undefined.
 */
export function cutsFor(steps: readonly ResizeStep[], width: number, height: number): { x: AxisCut; y: AxisCut } | undefined {
  let crop: Rect = { x0: 0, y0: 0, x1: width, y1: height };
  let rest = steps;
  if (rest.length === 2 && rest[0].kind === 'crop') {
    crop = rest[0].rect;
    rest = rest.slice(1);
  }
  if (rest.length !== 1 || rest[0].kind !== 'resize') return undefined;
  const r = rest[0];
  const win: SourceWindow = r.window ?? {
    x: { offset: 0, length: crop.x1 - crop.x0 },
    y: { offset: 0, length: crop.y1 - crop.y0 },
  };
  return {
    x: { start: crop.x0, end: crop.x1, window: win.x, size: r.width },
    y: { start: crop.y0, end: crop.y1, window: win.y, size: r.height },
  };
}

/**
 * chromaCut maps a luma AxisCut onto a plane with `ratio` times fewer samples than luma
 * (planeSize valid samples). The result has one sample per output luma pixel (`size`, twice
 * the chroma samples the encoder takes, rounded up): pairWeights pairs them. The crop widens
 * to whole plane samples and the window keeps its exact position.
 */
export function chromaCut(c: AxisCut, ratio: number, planeSize: number): AxisCut {
  const size = 2 * Math.ceil(c.size / 2);
  const start = Math.floor(c.start / ratio);
  const end = Math.max(start + 1, Math.min(planeSize, Math.ceil(c.end / ratio)));
  const offset = (c.start + c.window.offset) / ratio - start;
  // An odd output size gets one sample past its edge, as the encoder replicates the last column.
  const length = (c.window.length / ratio) * (size / c.size);
  return { start, end, window: { offset, length }, size };
}

/**
 * pairWeights averages the taps of outputs 2i and 2i+1 into output i: a 4:2:0 chroma sample is
 * the mean of the two (by two) output pixels it stands for, which is what the encoder would
 * compute from a full-resolution resize, in one pass and without the full-resolution image.
 */
export function pairWeights(w: Weights): Weights {
  const n = (w.start.length - 1) >> 1;
  const start = new Int32Array(n + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < n; i++) {
    start[i] = index.length;
    const a0 = w.start[2 * i], a1 = w.start[2 * i + 1], b1 = w.start[2 * i + 2];
    const lo = Math.min(w.index[a0] ?? Infinity, w.index[a1] ?? Infinity);
    const hi = Math.max(a1 > a0 ? w.index[a1 - 1] : -1, b1 > a1 ? w.index[b1 - 1] : -1);
    for (let u = lo; u <= hi; u++) {
      let sum = 0;
      for (let k = a0; k < b1; k++) if (w.index[k] === u) sum += w.weight[k];
      if (sum !== 0) {
        index.push(u);
        weight.push(sum / 2);
      }
    }
  }
  start[n] = index.length;
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/** viewOf is the part of plane p that a cut reads. */
function viewOf(p: Plane, x: AxisCut, y: AxisCut): PlaneView {
  return {
    data: p.data, offset: y.start * p.stride + x.start, stride: p.stride,
    width: x.end - x.start, height: y.end - y.start,
  };
}

/**
 * resamplePlanes applies a crop-then-resample (cutsFor's shape) to decoded YCbCr planes and
 * returns 4:2:0 planes for the encoder, or undefined for layouts the fast path does not take:
 * anything but three YCbCr components with full-resolution luma.
 */
export function resamplePlanes(img: JpegPlanes, cut: { x: AxisCut; y: AxisCut }): YccPlanes | undefined {
  if (!isPlanarYcc(img)) return undefined;
  const [Y, Cb, Cr] = img.planes;
  const lx: AxisCut = { ...cut.x, end: Math.min(cut.x.end, Y.width) };
  const ly: AxisCut = { ...cut.y, end: Math.min(cut.y.end, Y.height) };
  const yv = viewOf(Y, lx, ly);
  const y = resizePlane(yv, precomputeWeights(lx.size, yv.width, lx.window), precomputeWeights(ly.size, yv.height, ly.window));
  const chroma = (p: Plane): Uint16Array => {
    const cx = chromaCut(cut.x, img.hmax / p.h, p.width);
    const cy = chromaCut(cut.y, img.vmax / p.v, p.height);
    const v = viewOf(p, cx, cy);
    return resizePlane(v, pairWeights(precomputeWeights(cx.size, v.width, cx.window)),
      pairWeights(precomputeWeights(cy.size, v.height, cy.window)));
  };
  return { width: cut.x.size, height: cut.y.size, y, cb: chroma(Cb), cr: chroma(Cr) };
}

/** isPlanarYcc reports whether img is three YCbCr planes with luma at the full image size. */
export function isPlanarYcc(img: JpegPlanes): boolean {
  if (img.colorSpace !== 'ycc' || img.planes.length !== 3) return false;
  const Y = img.planes[0];
  return Y.h === img.hmax && Y.v === img.vmax && Y.width >= img.width && Y.height >= img.height;
}
