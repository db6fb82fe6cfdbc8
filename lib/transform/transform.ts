/**
 * The transform pipeline: decode, orient, trim, crop, resize, rotate, flip, encode.
 *
 * Pure (no HTTP, no I/O), so it runs the same inline and on worker threads. Geometry follows
 * the Go server (willnorris/imageproxy transform.go): crop and resize sizes are computed from
 * the source image after EXIF orientation, before any other operation changes it.
 */
import { CONTENT_TYPES, decode, detectFormat, encode, probe, readOrientation } from '../codecs/index.js';
import {
  hasTransparency, type Bitmap, type DecodedImage, type EncodableFormat, type Frame, type ImageFormat,
} from '../codecs/types.js';
import { DEFAULT_QUALITY, type Limits } from '../config.js';
import { isProxyError, UnprocessableImageError } from '../errors.js';
import { isTransform, type Options, type OutputFormat } from '../request/options.js';
import {
  chooseShrink, evaluateFloat, orientedSize, planFor, scaleSteps, sizeAfter, stepsFor,
  type Plan, type Rect, type ResizeStep, type Size,
} from './geometry.js';
import { bitmapOfPlanes, decodeJpegToPlanes, encodeJpegYcc } from '../codecs/jpeg.js';
import { cutsFor, isPlanarYcc, mapCut, resamplePlanes } from './planar.js';
import { exifOrientation, then, turn } from './dihedral.js';
import { applySteps, crop, findTrim, orient, turned } from './ops.js';
import { findSmartCrop } from './smartcrop.js';
import type { TransformResult } from './types.js';

/** UNKNOWN_CONTENT_TYPE labels untouched bytes whose format could not be recognised. */
const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/**
 * outputFormat picks the encoding: the requested format, else the source's, except that WebP
 * and TIFF sources become JPEG (as in the Go server).
 */
export function outputFormat(source: ImageFormat, requested: OutputFormat | ''): EncodableFormat {
  if (requested !== '') return requested;
  if (source === 'webp' || source === 'tiff' || source === 'svg') return 'jpeg';
  return source;
}

/** jpegQuality is the requested quality, 95 when unset, limited to 1..100 like Go's encoder. */
export function jpegQuality(q: number): number {
  if (q === 0) return DEFAULT_QUALITY;
  return Math.min(100, Math.max(1, Math.trunc(q)));
}

/** isOrientable reports whether the Go server honours EXIF orientation for a source format. */
function isOrientable(f: ImageFormat): boolean {
  return f === 'jpeg' || f === 'tiff';
}

/** usesSmartCrop reports whether smart crop takes effect: it needs both sides of a size. */
function usesSmartCrop(o: Options, src: Size): boolean {
  return o.smartCrop && evaluateFloat(o.width, src.width) > 0 && evaluateFloat(o.height, src.height) > 0;
}

function tooLarge(limits: Limits): UnprocessableImageError {
  return new UnprocessableImageError(
    `The output image would be larger than ${limits.maxOutputSide} pixels on a side or ${limits.maxPixels} pixels in all.`,
    'output_too_large');
}

/**
 * exceeds reports whether an image of size s (times `frames` for an animation) breaks the
 * limits: a side beyond maxOutputSide, or more pixels than maxPixels — the same budget as
 * decoding, because scaleUp output costs the same memory as a decoded source.
 */
function exceeds(s: Size, limits: Limits, frames: number): boolean {
  return s.width > limits.maxOutputSide || s.height > limits.maxOutputSide ||
    s.width * s.height * frames > limits.maxPixels;
}

/**
 * stepsTooLarge reports whether steps produce an image (the output, or an intermediate: a
 * small source scaled to cover an extreme aspect ratio is resized before it is cropped) with
 * a side beyond limits.maxOutputSide.
 */
function stepsTooLarge(steps: readonly ResizeStep[], current: Size, limits: Limits, frames: number): boolean {
  return exceeds(sizeAfter(current, steps), limits, frames) ||
    steps.some((st) => st.kind === 'resize' && exceeds(st, limits, frames));
}

/** plannedTooLarge judges a src-sized source before decoding, without trim or smart crop. */
function plannedTooLarge(src: Size, o: Options, limits: Limits, frames: number): boolean {
  return stepsTooLarge(stepsFor(planFor(src, o), src), src, limits, frames);
}

/** scaleRect maps r from a `from`-sized image to a `to`-sized one (identity when equal). */
function scaleRect(r: Rect, from: Size, to: Size): Rect {
  if (from.width === to.width && from.height === to.height) return r;
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return { x0: Math.floor(r.x0 * sx), y0: Math.floor(r.y0 * sy), x1: Math.ceil(r.x1 * sx), y1: Math.ceil(r.y1 * sy) };
}

/** FrameGeometry is what every frame of one image goes through after orientation. */
interface FrameGeometry {
  trim?: Rect;
  steps: ResizeStep[];
  plan: Plan;
}

/** applyGeometry runs g on one oriented frame. */
function applyGeometry(oriented: Bitmap, g: FrameGeometry): Bitmap {
  let m = oriented;
  if (g.trim) m = crop(m, g.trim);
  m = applySteps(m, g.steps);
  return turned(m, turn(g.plan.rotate, g.plan.flipVertical, g.plan.flipHorizontal));
}

/**
 * renderFrames applies options to decoded frames (all of them, or only the first unless
 * `allFrames`): orientation, trim, crop, resize, rotate, flip. `header` is the stored size of
 * the source before any decode-time shrink; geometry is planned at that size and scaled.
 * Throws UnprocessableImageError when the result would exceed limits.maxOutputSide or maxPixels.
 */
export async function renderFrames(
  decoded: DecodedImage, header: Size, options: Options, limits: Limits, allFrames: boolean,
): Promise<Frame[]> {
  if (decoded.frames.length === 0) throw new UnprocessableImageError('The image has no frames.');
  const frames = allFrames ? decoded.frames : decoded.frames.slice(0, 1);
  const orientation = isOrientable(decoded.format) ? decoded.orientation : 1;

  // Geometry comes from the first frame and applies to all, so animations stay consistent.
  const first = orient(frames[0].bitmap, orientation);
  const reduced: Size = { width: first.width, height: first.height };
  const full = decoded.shrink > 1 ? orientedSize(header, orientation) : reduced;
  const smart = usesSmartCrop(options, full)
    ? await findSmartCrop(first, evaluateFloat(options.width, full.width), evaluateFloat(options.height, full.height))
    : undefined;
  const plan = planFor(full, options, smart && scaleRect(smart, reduced, full));
  const trim = options.trim ? findTrim(first) : undefined;
  const current: Size = trim ? { width: trim.x1 - trim.x0, height: trim.y1 - trim.y0 } : reduced;
  // A decode-time shrink is only asked for when nothing pixel-dependent precedes the resize.
  const steps = decoded.shrink > 1 && !trim ? scaleSteps(stepsFor(plan, full), full, reduced, decoded.shrink) : stepsFor(plan, current);
  if (stepsTooLarge(steps, current, limits, frames.length)) throw tooLarge(limits);

  const geometry: FrameGeometry = { trim, steps, plan };
  return frames.map((f, i) => ({
    bitmap: applyGeometry(i === 0 ? first : orient(f.bitmap, orientation), geometry),
    delayMs: f.delayMs,
  }));
}

/**
 * jpegViaPlanes is the fast path for a JPEG resized to JPEG: it turns the decoded YCbCr planes
 * by the EXIF orientation and the requested rotation and flips in one step, resamples them
 * where they stand and encodes them as they are (planar.ts). It returns the encoded bytes; or,
 * when the image turns out not to suit the fast path, the decode it already did, as RGBA for the
 * general path; or undefined when it decoded nothing.
 */
function jpegViaPlanes(
  bytes: Uint8Array, header: Size, orientation: number, options: Options, limits: Limits, shrink: number,
): Uint8Array | DecodedImage | undefined {
  const oriented = orientedSize(header, orientation);
  const plan = planFor(oriented, options);
  const planned = stepsFor(plan, oriented);
  if (!cutsFor(planned, oriented.width, oriented.height)) return undefined;
  const planes = decodeJpegToPlanes(bytes, { maxPixels: limits.maxPixels, shrink, maxScans: limits.maxScans });
  if (!planes) return undefined;
  const reduced = orientedSize({ width: planes.width, height: planes.height }, orientation);
  const steps = planes.scale > 1 ? scaleSteps(planned, oriented, reduced, planes.scale) : planned;
  const cut = cutsFor(steps, reduced.width, reduced.height);
  if (cut && isPlanarYcc(planes)) {
    if (stepsTooLarge(steps, reduced, limits, 1)) throw tooLarge(limits);
    // Turning commutes with cropping and resampling, so the planes are turned first, once, and
    // the cut is carried into the turned frame.
    const after = turn(plan.rotate, plan.flipVertical, plan.flipHorizontal);
    const ycc = resamplePlanes(planes, mapCut(cut, after, reduced), then(exifOrientation(orientation), after));
    if (ycc) return encodeJpegYcc(ycc, jpegQuality(options.quality));
  }
  const { bitmap, shrink: applied } = bitmapOfPlanes(planes);
  return { format: 'jpeg', frames: [{ bitmap, delayMs: 0 }], loopCount: 0, orientation, hasAlpha: false, shrink: applied };
}

/**
 * transform decodes bytes, applies options within limits and encodes the result.
 *
 * Options that change nothing return the original bytes; SVG is always returned unchanged.
 * Throws UnprocessableImageError (422) for images it will not decode or outputs too large.
 */
export async function transform(bytes: Uint8Array, options: Options, limits: Limits): Promise<TransformResult> {
  const sniffed = detectFormat(bytes);
  if (!isTransform(options) || sniffed === 'svg') {
    return { bytes, contentType: sniffed ? CONTENT_TYPES[sniffed] : UNKNOWN_CONTENT_TYPE };
  }

  const info = probe(bytes, { maxFrames: limits.maxFrames });
  if (info.pixels > limits.maxPixels) {
    throw new UnprocessableImageError(
      `The image has more pixels than the limit of ${limits.maxPixels}.`, 'too_many_pixels');
  }
  const format = outputFormat(info.format, options.format);
  const allFrames = format === 'gif' && info.format === 'gif';
  const orientable = isOrientable(info.format);

  // The decoder applies the EXIF orientation; reading it here (from the header, as the decoder
  // will) lets the size checks and the decode-time shrink judge the image as it will stand.
  const header: Size = { width: info.width, height: info.height };
  const orientation = orientable ? readOrientation(bytes) : 1;
  const oriented = orientedSize(header, orientation);
  const pixelDependent = options.trim || usesSmartCrop(options, oriented);
  const frameCount = allFrames ? info.frames : 1;
  if (plannedTooLarge(oriented, options, limits, frameCount)) throw tooLarge(limits);
  const shrink = chooseShrink(planFor(oriented, options), oriented, pixelDependent);

  let decoded: DecodedImage | undefined;
  try {
    if (format === 'jpeg' && info.format === 'jpeg' && !pixelDependent) {
      const planar = jpegViaPlanes(bytes, header, orientation, options, limits, shrink);
      if (planar instanceof Uint8Array) return { bytes: planar, contentType: CONTENT_TYPES.jpeg };
      decoded = planar;
    }
    decoded ??= await decode(bytes, { maxPixels: limits.maxPixels, maxFrames: limits.maxFrames, maxScans: limits.maxScans, ...(shrink > 1 ? { shrink } : {}) });
  } catch (err) {
    if (isProxyError(err)) throw err;
    throw new UnprocessableImageError('The image could not be decoded.');
  }
  const out = await renderFrames(decoded, header, options, limits, allFrames);
  const hasAlpha = format !== 'jpeg' && out.some((f) => hasTransparency(f.bitmap.data));
  const encoded = await encode(
    { frames: out, loopCount: allFrames ? decoded.loopCount : 0, hasAlpha },
    format,
    jpegQuality(options.quality),
  );
  return { bytes: encoded, contentType: CONTENT_TYPES[format] };
}
