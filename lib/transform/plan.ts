/**
 * The transform plan: everything a transform will do, decided once from the source's header,
 * the options and the limits, before a single pixel is decoded; the executor (transform.ts,
 * render.ts, planar.ts) only carries it out.
 *
 * Pure arithmetic over a ProbeResult, so every field can be checked without an image. Only the
 * pixel-dependent steps (trim, smart crop) leave something for execution to settle: the plan
 * says that they run and what they aim for, and render.ts derives their steps from the pixels.
 */
import { PLANAR_FORMATS, REDUCING_FORMATS } from '../codecs/index.js';
import type { EncodableFormat, EncoderSettings, ImageFormat, ProbeResult } from '../codecs/types.js';
import { DEFAULT_AVIF_QUALITY, DEFAULT_MAX_AVIF_PIXELS, DEFAULT_QUALITY, DEFAULT_WEBP_QUALITY, type Limits } from '../config.js';
import { UnprocessableImageError } from '../errors.js';
import type { Options, OutputFormat } from '../request/options.js';
import { turn, type Dihedral } from './dihedral.js';
import {
  chooseShrink, evaluateFloat, orientedSize, planFor, sizeAfter, stepsFor, type Plan, type ResizeStep, type Size,
} from './geometry.js';
import { cutsFor } from './planar.js';

/** Verdict is whether a plan fits the limits, and if not, which one it breaks. */
export type Verdict = 'ok' | 'too_many_pixels' | 'output_too_large' | 'avif_too_large';

/** TransformPlan is one transform, decided before decoding; see the file comment. */
export interface TransformPlan {
  /** The source as its header describes it: format, stored size, frames, EXIF orientation. */
  source: ProbeResult;
  /** The request the plan was made from. */
  options: Options;
  /** The limits the plan was judged against (and pixel-dependent steps are judged against). */
  limits: Limits;
  /** EXIF orientation applied first: the header's for JPEG and TIFF (as the Go server), else 1. */
  orientation: number;
  /** Size of the source once oriented: what every size and percentage in the options refers to. */
  oriented: Size;
  /** Crop, resize and turns at the oriented size (a smart crop replaces the crop when it runs). */
  geometry: Plan;
  /** The crop and resample steps of geometry on the oriented source. */
  steps: ResizeStep[];
  /** Rotation and flips after resizing, as one dihedral transform. */
  turn: Dihedral;
  /** Trim the border of the top-left colour before cropping (pixel-dependent). */
  trim: boolean;
  /** The size a smart crop aims for, when one runs (it needs both sides); pixel-dependent. */
  smartCrop?: Size;
  /**
   * Power-of-two reduction the decoder may apply: 1 unless the format's decoder can reduce
   * (REDUCING_FORMATS) and nothing pixel-dependent runs.
   */
  shrink: number;
  /** Keep the animation: every frame and the loop count (a GIF written as GIF, an animation written as WebP). */
  animated: boolean;
  /** Frames rendered, written and counted against the limits: all when animated, else 1. */
  frames: number;
  /** How the output is written. */
  encoder: EncoderSettings;
  /**
   * Take the YCbCr path (planar.ts): JPEG to JPEG, WebP or AVIF, nothing pixel-dependent, and steps that are a
   * crop-then-resample. A step that needs RGB pixels (a colour conversion) must turn it off.
   */
  planar: boolean;
  /** Whether the plan fits the limits; a plan that does not is never executed. */
  verdict: Verdict;
}

/**
 * outputFormat picks the encoding: the requested format, else the source's, except that WebP
 * and TIFF sources become JPEG (as in the Go server), and so do AVIF sources (re-encoding AVIF
 * costs far more than JPEG for an answer the client did not ask for).
 */
export function outputFormat(source: ImageFormat, requested: OutputFormat | ''): EncodableFormat {
  if (requested !== '') return requested;
  if (source === 'webp' || source === 'tiff' || source === 'avif' || source === 'svg') return 'jpeg';
  return source;
}

/**
 * DEFAULT_QUALITIES are the qualities of the lossy encoders when the request names none; a new
 * lossy format adds its own entry (config.ts holds the values).
 */
const DEFAULT_QUALITIES: Partial<Record<EncodableFormat, number>> = {
  jpeg: DEFAULT_QUALITY, webp: DEFAULT_WEBP_QUALITY, avif: DEFAULT_AVIF_QUALITY,
};

/** quality is the requested quality, `fallback` when unset, limited to 1..100 like Go's encoder. */
function quality(q: number, fallback: number): number {
  if (q === 0) return fallback;
  return Math.min(100, Math.max(1, Math.trunc(q)));
}

/** jpegQuality is the requested quality, 95 when unset, limited to 1..100 like Go's encoder. */
export function jpegQuality(q: number): number {
  return quality(q, DEFAULT_QUALITY);
}

/** encoderSettings are the settings of the format's encoder for the options (and, for AVIF, the limits). */
export function encoderSettings(format: EncodableFormat, o: Options, limits?: Limits): EncoderSettings {
  const settings: EncoderSettings = { format, quality: quality(o.quality, DEFAULT_QUALITIES[format] ?? DEFAULT_QUALITY) };
  if (format === 'avif') settings.maxPixels = avifLimit(limits);
  return settings;
}

/** avifLimit is the largest AVIF output the limits allow. */
function avifLimit(limits: Limits | undefined): number {
  return limits?.maxAvifPixels ?? DEFAULT_MAX_AVIF_PIXELS;
}

/**
 * keepsAnimation reports whether the output keeps every frame: a GIF written as GIF, or an
 * animation (GIF or WebP) written as WebP. AVIF and the still formats take the first frame.
 */
function keepsAnimation(source: ProbeResult, format: EncodableFormat): boolean {
  if (format === 'gif') return source.format === 'gif';
  return format === 'webp' && source.frames > 1 && (source.format === 'gif' || source.format === 'webp');
}

/** avifTooLarge reports whether an AVIF output of the steps' final size breaks the AVIF limit. */
function avifTooLarge(encoder: EncoderSettings, steps: readonly ResizeStep[], oriented: Size): boolean {
  if (encoder.format !== 'avif' || encoder.maxPixels === undefined) return false;
  const out = sizeAfter(oriented, steps);
  return out.width * out.height > encoder.maxPixels;
}

/** isOrientable reports whether the Go server honours EXIF orientation for a source format. */
function isOrientable(f: ImageFormat): boolean {
  return f === 'jpeg' || f === 'tiff';
}

/** smartCropTarget is the size a smart crop aims for, or undefined when it does not run. */
function smartCropTarget(o: Options, src: Size): Size | undefined {
  if (!o.smartCrop) return undefined;
  const width = evaluateFloat(o.width, src.width);
  const height = evaluateFloat(o.height, src.height);
  return width > 0 && height > 0 ? { width, height } : undefined;
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
 * small source scaled to cover an extreme aspect ratio is resized before it is cropped) that
 * breaks the limits.
 */
export function stepsTooLarge(steps: readonly ResizeStep[], current: Size, limits: Limits, frames: number): boolean {
  return exceeds(sizeAfter(current, steps), limits, frames) ||
    steps.some((st) => st.kind === 'resize' && exceeds(st, limits, frames));
}

/**
 * planTransform makes the plan for a source with header `source`, the options and the limits.
 * Geometry is fixed at the oriented header size, as the Go server fixes it from the source.
 */
export function planTransform(source: ProbeResult, options: Options, limits: Limits): TransformPlan {
  const encoder = encoderSettings(outputFormat(source.format, options.format), options, limits);
  const animated = keepsAnimation(source, encoder.format);
  const frames = animated ? source.frames : 1;
  const orientation = isOrientable(source.format) ? source.orientation : 1;
  const oriented = orientedSize({ width: source.width, height: source.height }, orientation);
  const smartCrop = smartCropTarget(options, oriented);
  const pixelDependent = options.trim || smartCrop !== undefined;
  const geometry = planFor(oriented, options);
  const steps = stepsFor(geometry, oriented);
  let verdict: Verdict = 'ok';
  if (source.pixels > limits.maxPixels) verdict = 'too_many_pixels';
  else if (stepsTooLarge(steps, oriented, limits, frames)) verdict = 'output_too_large';
  else if (!pixelDependent && avifTooLarge(encoder, steps, oriented)) verdict = 'avif_too_large';
  return {
    source, options, limits, orientation, oriented, geometry, steps,
    turn: turn(geometry.rotate, geometry.flipVertical, geometry.flipHorizontal),
    trim: options.trim,
    ...(smartCrop ? { smartCrop } : {}),
    shrink: REDUCING_FORMATS.has(source.format) ? chooseShrink(geometry, oriented, pixelDependent, steps) : 1,
    animated,
    frames,
    encoder,
    planar: PLANAR_FORMATS.has(encoder.format) && source.format === 'jpeg' && !pixelDependent &&
      cutsFor(steps, oriented.width, oriented.height) !== undefined,
    verdict,
  };
}

/** isPixelDependent reports whether a plan runs a step that needs the decoded pixels. */
export function isPixelDependent(plan: TransformPlan): boolean {
  return plan.trim || plan.smartCrop !== undefined;
}

/** tooLarge is the 422 for an output (or intermediate) beyond the limits. */
export function tooLarge(limits: Limits): UnprocessableImageError {
  return new UnprocessableImageError(
    `The output image would be larger than ${limits.maxOutputSide} pixels on a side or ${limits.maxPixels} pixels in all.`,
    'output_too_large');
}

/** refusal is the 422 a plan's verdict calls for, or undefined when the plan fits its limits. */
export function refusal(plan: TransformPlan): UnprocessableImageError | undefined {
  switch (plan.verdict) {
    case 'ok': return undefined;
    case 'too_many_pixels':
      return new UnprocessableImageError(
        `The image has more pixels than the limit of ${plan.limits.maxPixels}.`, 'too_many_pixels');
    case 'output_too_large': return tooLarge(plan.limits);
    case 'avif_too_large': {
      const out = sizeAfter(plan.oriented, plan.steps);
      return new UnprocessableImageError(
        `The output image would be ${out.width}x${out.height}, more than the ${avifLimit(plan.limits)} pixels this server encodes as AVIF.`,
        'avif_too_large');
    }
  }
}
