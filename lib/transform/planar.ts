/**
 * The YCbCr fast path for JPEG to JPEG resizes: the decoded luma and chroma planes are
 * resampled where they stand and handed to the encoder as 4:2:0 planes.
 *
 * The RGB path upsamples chroma, converts every pixel to RGB, resamples three channels,
 * converts back and averages chroma down again. Resampling is linear, so doing it on the
 * planes gives the same picture (up to rounding) for well under half the work: one full-size
 * channel and two quarter-size ones, and no colour conversion at all.
 */
import type { JpegPlanes, Plane, Scratch, YccPlanes } from '../codecs/index.js';
import { orientedSize, scaleSteps, type Rect, type ResizeStep, type SourceWindow } from './geometry.js';
import { lanczosOneSine, precomputeWeights, type Span, type Weights } from './lanczos.js';
import { resizePlane, type PlaneView } from './planepass.js';
import { exifOrientation, IDENTITY, isIdentity, then, transformSamples, type Dihedral } from './dihedral.js';
import type { TransformPlan } from './plan.js';

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
 * (planeSize valid samples), where luma position X is at plane position X / ratio + phase (the
 * phase is not 0 only for a mirrored plane whose last sample stood partly past the image). The
 * result has one sample per output luma pixel, which pairWeights then pairs. The crop widens to
 * whole plane samples and the window keeps its exact position.
 */
export function chromaCut(c: AxisCut, ratio: number, planeSize: number, phase = 0): AxisCut {
  const start = Math.max(0, Math.floor(c.start / ratio + phase));
  const end = Math.max(start + 1, Math.min(planeSize, Math.ceil(c.end / ratio + phase)));
  const offset = (c.start + c.window.offset) / ratio + phase - start;
  return { start, end, window: { offset, length: c.window.length / ratio }, size: c.size };
}

/**
 * pairWeights averages the taps of outputs 2i and 2i+1 into output i: a 4:2:0 chroma sample is
 * the mean of the two (by two) output pixels it stands for, which is what the encoder would
 * compute from a full-resolution resize, in one pass and without the full-resolution image. A
 * last output without a partner stands alone, as the encoder repeats an odd image's last pixel.
 */
export function pairWeights(w: Weights): Weights {
  const count = w.start.length - 1;
  const n = (count + 1) >> 1;
  const start = new Int32Array(n + 1);
  // A pair has at most the taps of its two outputs.
  const index = new Int32Array(w.index.length);
  const weight = new Float64Array(w.index.length);
  let sums = new Float64Array(16);
  let m = 0;
  for (let i = 0; i < n; i++) {
    start[i] = m;
    const a0 = w.start[2 * i], b1 = w.start[Math.min(2 * i + 2, count)];
    // Alone, an output's taps count twice, as if paired with itself.
    const scale = 2 * i + 1 < count ? 0.5 : 1;
    let lo = Infinity, hi = -1;
    for (let k = a0; k < b1; k++) {
      lo = Math.min(lo, w.index[k]);
      hi = Math.max(hi, w.index[k]);
    }
    // Sum each source index's weights in one sweep, then keep the non-zero sums in order.
    const span = Math.max(0, hi - lo + 1);
    if (span > sums.length) sums = new Float64Array(span);
    sums.fill(0, 0, span);
    for (let k = a0; k < b1; k++) sums[w.index[k] - lo] += w.weight[k];
    for (let u = 0; u < span; u++) {
      if (sums[u] !== 0) {
        index[m] = lo + u;
        weight[m++] = sums[u] * scale;
      }
    }
  }
  start[n] = m;
  return { start, index: index.slice(0, m), weight: weight.slice(0, m) };
}

/**
 * mapCut maps the cuts of an image whose sample grid is frame (width x height) onto the same
 * image transformed by d: axes trade places under a transpose, and a mirrored axis counts its
 * crop and window from the other end.
 */
export function mapCut(cut: { x: AxisCut; y: AxisCut }, d: Dihedral, frame: { width: number; height: number }): { x: AxisCut; y: AxisCut } {
  let { x, y } = cut;
  let w = frame.width, h = frame.height;
  if (d.swap) [x, y, w, h] = [y, x, h, w];
  const mirror = (c: AxisCut, extent: number): AxisCut => ({
    start: extent - c.end,
    end: extent - c.start,
    window: { offset: c.end - c.start - c.window.offset - c.window.length, length: c.window.length },
    size: c.size,
  });
  return { x: d.flipX ? mirror(x, w) : x, y: d.flipY ? mirror(y, h) : y };
}

/** GridPlane is a plane's samples with the sampling factors and phases chromaCut needs. */
interface GridPlane {
  plane: Pick<Plane, 'data' | 'stride' | 'width' | 'height'>;
  /** Luma samples per plane sample on each axis. */
  rx: number;
  ry: number;
  phaseX: number;
  phaseY: number;
}

/**
 * gridPlanes returns img's planes transformed by d (untouched for the identity), each with its
 * sampling ratios and, for mirrored axes, the phase a partial last sample leaves: mirrored, it
 * becomes a partial first one.
 */
function gridPlanes(img: JpegPlanes, d: Dihedral): GridPlane[] {
  const lw = d.swap ? img.height : img.width, lh = d.swap ? img.width : img.height;
  return img.planes.map((p) => {
    const rx0 = img.hmax / p.h, ry0 = img.vmax / p.v;
    if (isIdentity(d)) return { plane: p, rx: rx0, ry: ry0, phaseX: 0, phaseY: 0 };
    const t = transformSamples(p.data, 0, p.stride, p.width, p.height, d);
    const rx = d.swap ? ry0 : rx0, ry = d.swap ? rx0 : ry0;
    return {
      plane: { data: t.data, stride: t.width, width: t.width, height: t.height }, rx, ry,
      phaseX: d.flipX ? t.width - lw / rx : 0,
      phaseY: d.flipY ? t.height - lh / ry : 0,
    };
  });
}

/** WEIGHTS_KEPT: the last few axes' taps are kept, enough for luma and chroma on both axes of one resize. */
const WEIGHTS_KEPT = 8;
const recentWeights: Array<{ key: string; w: Weights }> = [];

/**
 * axisWeights is precomputeWeights (then pairWeights when `paired`) for one axis, reused when a
 * recent resize had the very same axis: requests for one size of one source repeat them, and
 * computing the Lanczos taps of a 4000 px source costs ~3 ms. Consumers only read weights.
 */
function axisWeights(dstSize: number, srcSize: number, span: Span, paired: boolean): Weights {
  const key = `${dstSize} ${srcSize} ${span.offset} ${span.length} ${paired ? 1 : 0}`;
  const hit = recentWeights.find((e) => e.key === key);
  if (hit) return hit.w;
  // The passes round taps to 14 bits, so the kernel's last bits can go for speed.
  const plain = precomputeWeights(dstSize, srcSize, span, lanczosOneSine);
  const w = paired ? pairWeights(plain) : plain;
  recentWeights.unshift({ key, w });
  recentWeights.length = Math.min(recentWeights.length, WEIGHTS_KEPT);
  return w;
}

/** viewOf is the part of plane p that a cut reads. */
function viewOf(p: Pick<Plane, 'data' | 'stride'>, x: AxisCut, y: AxisCut): PlaneView {
  return {
    data: p.data, offset: y.start * p.stride + x.start, stride: p.stride,
    width: x.end - x.start, height: y.end - y.start,
  };
}

/**
 * resamplePlanes applies a crop-then-resample (cutsFor's shape, given in the frame d produces)
 * to decoded YCbCr planes turned by d, and returns 4:2:0 planes for the encoder, or undefined
 * for layouts the fast path does not take: anything but three YCbCr components with
 * full-resolution luma. The output planes come from scratch when given.
 */
export function resamplePlanes(img: JpegPlanes, cut: { x: AxisCut; y: AxisCut }, d: Dihedral = IDENTITY, scratch?: Scratch): YccPlanes | undefined {
  if (!isPlanarYcc(img)) return undefined;
  const [Y, Cb, Cr] = gridPlanes(img, d);
  const lx: AxisCut = { ...cut.x, end: Math.min(cut.x.end, Y.plane.width) };
  const ly: AxisCut = { ...cut.y, end: Math.min(cut.y.end, Y.plane.height) };
  const yv = viewOf(Y.plane, lx, ly);
  const y = resizePlane(yv, axisWeights(lx.size, yv.width, lx.window, false), axisWeights(ly.size, yv.height, ly.window, false), true, scratch);
  // Cb and Cr nearly always share one grid: their taps then come from the cache the second time.
  const chroma = (g: GridPlane): Uint16Array => {
    const cx = chromaCut(cut.x, g.rx, g.plane.width, g.phaseX);
    const cy = chromaCut(cut.y, g.ry, g.plane.height, g.phaseY);
    const v = viewOf(g.plane, cx, cy);
    return resizePlane(v, axisWeights(cx.size, v.width, cx.window, true), axisWeights(cy.size, v.height, cy.window, true), true, scratch);
  };
  return { width: cut.x.size, height: cut.y.size, y, cb: chroma(Cb), cr: chroma(Cr) };
}

/** isPlanarYcc reports whether img is three YCbCr planes with luma at the full image size. */
export function isPlanarYcc(img: JpegPlanes): boolean {
  if (img.colorSpace !== 'ycc' || img.planes.length !== 3) return false;
  const Y = img.planes[0];
  return Y.h === img.hmax && Y.v === img.vmax && Y.width >= img.width && Y.height >= img.height;
}

/**
 * renderPlanes carries out a planar plan on the planes decodePlanar gave: the steps, mapped
 * onto a decode-time reduced image, and the plan's EXIF orientation and turn. It returns 4:2:0
 * planes for encodePlanes, or undefined when these planes do not suit the YCbCr path (the
 * caller then renders them as RGBA). The output planes come from scratch when given.
 */
export function renderPlanes(
  planes: JpegPlanes, plan: Pick<TransformPlan, 'steps' | 'oriented' | 'orientation' | 'turn'>, scratch?: Scratch,
): YccPlanes | undefined {
  if (!isPlanarYcc(planes)) return undefined;
  const reduced = orientedSize({ width: planes.width, height: planes.height }, plan.orientation);
  const steps = planes.scale > 1 ? scaleSteps(plan.steps, plan.oriented, reduced, planes.scale) : plan.steps;
  const cut = cutsFor(steps, reduced.width, reduced.height);
  if (!cut) return undefined;
  // Turning commutes with cropping and resampling, so the planes are turned first, once, and
  // the cut is carried into the turned frame.
  return resamplePlanes(planes, mapCut(cut, plan.turn, reduced), then(exifOrientation(plan.orientation), plan.turn), scratch);
}
