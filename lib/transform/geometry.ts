/**
 * Transform geometry: the pure size and rectangle arithmetic behind a transform.
 *
 * Every function here mirrors the Go server (willnorris/imageproxy transform.go) and the
 * github.com/disintegration/imaging helpers it calls, down to Go's truncating integer
 * conversions, so that output sizes match the Go server exactly. No pixels are touched here.
 */
import type { Options } from '../request/options.js';

/** Size is a width and height in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** Rect is a half-open pixel rectangle [x0, x1) x [y0, y1). */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Rotation is a counter-clockwise rotation that takes effect. */
export type Rotation = 0 | 90 | 180 | 270;

/**
 * ResizeStep is one primitive of a resize: crop to a rectangle, or resample to a size.
 *
 * imaging's Fit, Resize and Thumbnail all reduce to at most one crop and one resample.
 */
export type ResizeStep =
  | { kind: 'crop'; rect: Rect }
  | { kind: 'resize'; width: number; height: number; window?: SourceWindow };

/**
 * SourceWindow is the part of the current image a resample reads, in fractional pixels: set by
 * scaleSteps so a decode-time reduced image is sampled as exactly the region it stands for.
 */
export interface SourceWindow {
  x: { offset: number; length: number };
  y: { offset: number; length: number };
}

/** Orientation is the rotation and flips that display an EXIF-oriented image upright. */
export interface Orientation {
  rotate: Rotation;
  flipHorizontal: boolean;
  flipVertical: boolean;
}

/** MAX_DIMENSION caps evaluated option values so arithmetic on them stays exact. */
const MAX_DIMENSION = 2 ** 40;

/**
 * THUMBNAIL_CROP_FIRST_MIN is imaging.Fill's threshold: sources at least this large on both
 * sides are cropped to the target aspect before resampling, smaller ones resampled first.
 */
export const THUMBNAIL_CROP_FIRST_MIN = 100;

/** SHRINK_FACTORS are the decode-time reductions a decoder may apply, largest first. */
export const SHRINK_FACTORS: readonly number[] = [8, 4, 2];

/**
 * evaluateFloat turns an option value into pixels: 0 < f < 1 is a fraction of max (truncated),
 * other values are truncated to an integer, and negative values mean 0 (unset).
 */
export function evaluateFloat(f: number, max: number): number {
  if (0 < f && f < 1) return Math.trunc(max * f);
  if (!(f > 0)) return 0; // negative, zero or NaN
  return Math.min(Math.trunc(f), MAX_DIMENSION);
}

/**
 * normalizeRotation maps a rotation in degrees to the one that takes effect: the value modulo
 * 360 (so -90 is 270 and 630 is 270), and 0 for anything but 90, 180 or 270.
 */
export function normalizeRotation(degrees: number): Rotation {
  const r = degrees - Math.floor(degrees / 360) * 360;
  return r === 90 || r === 180 || r === 270 ? r : 0;
}

/**
 * orientationFor returns the operations that undo EXIF orientation n (1..8), exactly as the Go
 * server's exifOrientation translates it: rotate first, then flip. Unknown values do nothing.
 */
export function orientationFor(n: number): Orientation {
  const o: Orientation = { rotate: 0, flipHorizontal: false, flipVertical: false };
  switch (n) {
    case 2: o.flipHorizontal = true; break;
    case 3: o.rotate = 180; break;
    case 4: o.flipVertical = true; break;
    case 5: o.rotate = 90; o.flipVertical = true; break;
    case 6: o.rotate = 270; break;
    case 7: o.rotate = 90; o.flipHorizontal = true; break;
    case 8: o.rotate = 90; break;
    default: break;
  }
  return o;
}

/** orientedSize is the size of a w x h image after EXIF orientation n. */
export function orientedSize(size: Size, n: number): Size {
  const r = orientationFor(n).rotate;
  return r === 90 || r === 270 ? { width: size.height, height: size.width } : { ...size };
}

/** rotatedSize is the size after a counter-clockwise rotation. */
export function rotatedSize(size: Size, rotate: Rotation): Size {
  return rotate === 90 || rotate === 270 ? { width: size.height, height: size.width } : { ...size };
}

/** hasRectCrop reports whether o asks for a rectangle crop (cx, cy, cw or ch set). */
export function hasRectCrop(o: Options): boolean {
  return o.cropX !== 0 || o.cropY !== 0 || o.cropWidth !== 0 || o.cropHeight !== 0;
}

/** intersect1 intersects the span [a, b) (canonicalised like Go's image.Rect) with [0, max). */
function intersect1(a: number, b: number, max: number): [number, number] {
  let lo = Math.min(a, b);
  let hi = Math.max(a, b);
  lo = Math.max(lo, 0);
  hi = Math.min(hi, max);
  if (lo < hi) return [lo, hi];
  // Go would produce an empty image (and then fail to encode it); keep the nearest 1-px strip.
  return lo >= max ? [max - 1, max] : [0, 1];
}

/**
 * clampRect intersects r with a width x height image. Where Go's intersection would be empty
 * (a crop entirely outside the image), the nearest one-pixel strip is kept instead.
 */
export function clampRect(r: Rect, size: Size): Rect {
  const [x0, x1] = intersect1(r.x0, r.x1, size.width);
  const [y0, y1] = intersect1(r.y0, r.y1, size.height);
  return { x0, y0, x1, y1 };
}

/** isFullRect reports whether r covers the whole image. */
export function isFullRect(r: Rect, size: Size): boolean {
  return r.x0 === 0 && r.y0 === 0 && r.x1 === size.width && r.y1 === size.height;
}

/**
 * cropRect computes the rectangle crop of a src-sized image (Go's cropParams without smart
 * crop), or undefined when no crop is asked for or the crop covers the whole image.
 *
 * cx/cy count from the right/bottom edge when negative; cw/ch of 0 mean "to the edge"; values
 * in (0, 1) are fractions of the source; the result is clamped to the image.
 */
export function cropRect(src: Size, o: Options): Rect | undefined {
  if (!hasRectCrop(o)) return undefined;
  const W = src.width;
  const H = src.height;
  let x0 = evaluateFloat(Math.abs(o.cropX), W);
  if (o.cropX < 0) x0 = W - x0;
  let y0 = evaluateFloat(Math.abs(o.cropY), H);
  if (o.cropY < 0) y0 = H - y0;
  const w = evaluateFloat(o.cropWidth, W) || W;
  const h = evaluateFloat(o.cropHeight, H) || H;
  const r = clampRect({ x0, y0, x1: Math.min(x0 + w, W), y1: Math.min(y0 + h, H) }, src);
  return isFullRect(r, src) ? undefined : r;
}

/**
 * resizeTarget computes the requested output size for a src-sized image (Go's resizeParams),
 * or undefined when no resize is needed. A side of 0 means "follow the aspect ratio".
 *
 * Without scaleUp each side is capped at the source's; a request equal to the source size
 * (or to it on one side and unset on the other) is no resize.
 */
export function resizeTarget(src: Size, o: Options): Size | undefined {
  let w = evaluateFloat(o.width, src.width);
  let h = evaluateFloat(o.height, src.height);
  if (!o.scaleUp) {
    w = Math.min(w, src.width);
    h = Math.min(h, src.height);
  }
  if ((w === src.width || w === 0) && (h === src.height || h === 0)) return undefined;
  return { width: w, height: h };
}

/**
 * resizeSize is imaging.Resize's output size: a side of 0 follows the aspect ratio, rounded
 * as floor(other*given/src + 0.5) and at least 1.
 */
export function resizeSize(src: Size, width: number, height: number): Size {
  let w = width;
  let h = height;
  if (w === 0) w = Math.max(1, Math.floor((h * src.width) / src.height + 0.5));
  if (h === 0) h = Math.max(1, Math.floor((w * src.height) / src.width + 0.5));
  return { width: w, height: h };
}

/** resample returns the steps of imaging.Resize: nothing when the size does not change. */
function resample(src: Size, width: number, height: number): ResizeStep[] {
  const s = resizeSize(src, width, height);
  return s.width === src.width && s.height === src.height ? [] : [{ kind: 'resize', ...s }];
}

/** centreCrop is imaging.CropAnchor(Center): a width x height rectangle centred in src. */
function centreCrop(src: Size, width: number, height: number): ResizeStep[] {
  // Go's integer division truncates toward zero, also for negative differences.
  const x = Math.trunc((src.width - width) / 2);
  const y = Math.trunc((src.height - height) / 2);
  const r = clampRect({ x0: x, y0: y, x1: x + width, y1: y + height }, src);
  return isFullRect(r, src) ? [] : [{ kind: 'crop', rect: r }];
}

/**
 * fitSteps is imaging.Fit: scale down (never up) to fit inside maxW x maxH, keeping the aspect
 * ratio; the dependent side is truncated as imaging does.
 */
export function fitSteps(src: Size, maxW: number, maxH: number): ResizeStep[] {
  if (src.width <= maxW && src.height <= maxH) return [];
  const srcAspect = src.width / src.height;
  const maxAspect = maxW / maxH;
  if (srcAspect > maxAspect) return resample(src, maxW, Math.trunc(maxW / srcAspect));
  return resample(src, Math.trunc(maxH * srcAspect), maxH);
}

/**
 * thumbnailSteps is imaging.Thumbnail (Fill with a centre anchor): scale to cover dstW x dstH
 * and centre-crop the excess. Sources of at least 100x100 are cropped first, smaller ones
 * resampled first, exactly as imaging chooses.
 */
export function thumbnailSteps(src: Size, dstW: number, dstH: number): ResizeStep[] {
  if (src.width === dstW && src.height === dstH) return [];
  const srcAspect = src.width / src.height;
  const dstAspect = dstW / dstH;
  if (src.width >= THUMBNAIL_CROP_FIRST_MIN && src.height >= THUMBNAIL_CROP_FIRST_MIN) {
    let crop: ResizeStep[];
    if (srcAspect < dstAspect) {
      const cropH = (src.width * dstH) / dstW;
      crop = centreCrop(src, src.width, Math.trunc(Math.max(1, cropH) + 0.5));
    } else {
      const cropW = (src.height * dstW) / dstH;
      crop = centreCrop(src, Math.trunc(Math.max(1, cropW) + 0.5), src.height);
    }
    return [...crop, ...resample(sizeAfter(src, crop), dstW, dstH)];
  }
  const scaled = srcAspect < dstAspect ? resample(src, dstW, 0) : resample(src, 0, dstH);
  return [...scaled, ...centreCrop(sizeAfter(src, scaled), dstW, dstH)];
}

/**
 * resizeSteps turns a resize target into primitive steps for a src-sized image, choosing like
 * the Go server: fit -> imaging.Fit, one side unset -> imaging.Resize, both -> Thumbnail.
 *
 * Go's imaging.Fit returns an empty image when a side is unset; here that case resizes with
 * the aspect ratio instead.
 */
export function resizeSteps(src: Size, target: Size, fit: boolean): ResizeStep[] {
  if (target.width === 0 || target.height === 0) return resample(src, target.width, target.height);
  if (fit) return fitSteps(src, target.width, target.height);
  return thumbnailSteps(src, target.width, target.height);
}

/** sizeAfter is the size a src-sized image has after steps. */
export function sizeAfter(src: Size, steps: readonly ResizeStep[]): Size {
  let s = src;
  for (const st of steps) {
    s = st.kind === 'crop'
      ? { width: st.rect.x1 - st.rect.x0, height: st.rect.y1 - st.rect.y0 }
      : { width: st.width, height: st.height };
  }
  return s;
}

/**
 * Plan is the geometry of one transform, fixed from the (oriented) source size before any
 * pixels change, as the Go server does: percentages always refer to the source image.
 */
export interface Plan {
  /** Crop rectangle in source coordinates, or undefined for none. */
  crop?: Rect;
  /** Requested output size (a side may be 0), or undefined for no resize. */
  resize?: Size;
  /** Fit inside the requested size instead of covering it. */
  fit: boolean;
  /** Counter-clockwise rotation after resizing. */
  rotate: Rotation;
  flipHorizontal: boolean;
  flipVertical: boolean;
}

/** planFor computes the Plan for a src-sized image; smartRect (if any) replaces the rectangle crop. */
export function planFor(src: Size, o: Options, smartRect?: Rect): Plan {
  const crop = smartRect ? clampRect(smartRect, src) : cropRect(src, o);
  return {
    crop: crop && !isFullRect(crop, src) ? crop : undefined,
    resize: resizeTarget(src, o),
    fit: o.fit,
    rotate: normalizeRotation(o.rotate),
    flipHorizontal: o.flipHorizontal,
    flipVertical: o.flipVertical,
  };
}

/**
 * stepsFor returns the primitive steps that carry out plan on an image of size `current` (the
 * source, or the source after trim): the crop, intersected with the image, then the resize.
 */
export function stepsFor(plan: Plan, current: Size): ResizeStep[] {
  const steps: ResizeStep[] = [];
  let size = current;
  if (plan.crop) {
    const r = clampRect(plan.crop, current);
    if (!isFullRect(r, current)) {
      steps.push({ kind: 'crop', rect: r });
      size = sizeAfter(size, steps);
    }
  }
  if (plan.resize) steps.push(...resizeSteps(size, plan.resize, plan.fit));
  return steps;
}

/** outputSize is the final size of plan applied to an image of size `current`, rotation included. */
export function outputSize(plan: Plan, current: Size): Size {
  return rotatedSize(sizeAfter(current, stepsFor(plan, current)), plan.rotate);
}

/** SHRINK_MARGIN is how much larger than the output a decode-time reduced image must stay. */
export const SHRINK_MARGIN = 3;

/**
 * chooseShrink picks the largest decode-time reduction (8, 4, 2 or 1) for a src-sized source
 * such that the reduced image still has at least as many pixels on each side as the final
 * resample needs, times SHRINK_MARGIN. Only plans that end in a resample and have no pixel-dependent or rectangle
 * crop before it qualify (trim and smart crop must be passed as `pixelDependent`). `steps` are
 * stepsFor(plan, src), for a caller that has them already.
 */
export function chooseShrink(plan: Plan, src: Size, pixelDependent: boolean, steps = stepsFor(plan, src)): number {
  if (pixelDependent || plan.crop) return 1;
  const region = shrinkRegion(steps, src);
  if (!region) return 1;
  const last = steps[steps.length - 1] as { width: number; height: number };
  const rw = region.x1 - region.x0;
  const rh = region.y1 - region.y0;
  for (const s of SHRINK_FACTORS) {
    // DCT scaling averages s x s blocks, a poorer low-pass filter than Lanczos: leave at least a
    // 2x reduction to Lanczos so quality stays at the Go server's (PSNR is measured in bench/).
    if (Math.floor(rw / s) >= SHRINK_MARGIN * last.width && Math.floor(rh / s) >= SHRINK_MARGIN * last.height) return s;
  }
  return 1;
}

/**
 * shrinkRegion returns the source region a [crop?, resize] step list samples from, or undefined
 * when the steps have another shape (and so cannot run on a decode-time reduced image).
 */
function shrinkRegion(steps: readonly ResizeStep[], src: Size): Rect | undefined {
  const full = { x0: 0, y0: 0, x1: src.width, y1: src.height };
  if (steps.length === 1 && steps[0].kind === 'resize') return full;
  if (steps.length === 2 && steps[0].kind === 'crop' && steps[1].kind === 'resize') return steps[0].rect;
  return undefined;
}

/**
 * scaleSteps maps steps computed for a `full`-sized image onto the same image decoded at
 * `reduced` size (`full / shrink`, rounded up by the decoder). A crop before the first resample
 * becomes the whole-pixel crop that covers it, and the resample gets a window with the exact
 * fractional region, so the reduced image is sampled as precisely the part of the original it
 * stands for (its last row and column may stand for less than a full block). Resample sizes,
 * and so the output size, stay as they are.
 */
export function scaleSteps(steps: readonly ResizeStep[], full: Size, reduced: Size, shrink: number): ResizeStep[] {
  let resampled = false;
  let size = reduced;
  // The region still to be resampled, in fractional pixels of the current (cropped) image.
  let region = { x0: 0, y0: 0, x1: full.width / shrink, y1: full.height / shrink };
  return steps.map((st): ResizeStep => {
    if (resampled) return st;
    if (st.kind === 'resize') {
      resampled = true;
      const window: SourceWindow = {
        x: { offset: region.x0, length: region.x1 - region.x0 },
        y: { offset: region.y0, length: region.y1 - region.y0 },
      };
      return { kind: 'resize', width: st.width, height: st.height, window };
    }
    const want = { x0: st.rect.x0 / shrink, y0: st.rect.y0 / shrink, x1: st.rect.x1 / shrink, y1: st.rect.y1 / shrink };
    const x0 = Math.floor(want.x0);
    const y0 = Math.floor(want.y0);
    const rect = clampRect({
      x0, y0, x1: Math.max(Math.ceil(want.x1), x0 + 1), y1: Math.max(Math.ceil(want.y1), y0 + 1),
    }, size);
    size = { width: rect.x1 - rect.x0, height: rect.y1 - rect.y0 };
    region = {
      x0: want.x0 - rect.x0, y0: want.y0 - rect.y0,
      x1: Math.min(want.x1 - rect.x0, size.width), y1: Math.min(want.y1 - rect.y0, size.height),
    };
    return { kind: 'crop', rect };
  });
}
