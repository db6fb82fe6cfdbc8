/**
 * The transform pipeline: plan once, then decode, orient, trim, crop, resize, rotate, flip and
 * encode as the plan says.
 *
 * Pure (no HTTP, no I/O), so it runs the same inline and on worker threads. Geometry follows
 * the Go server (willnorris/imageproxy transform.go): crop and resize sizes are computed from
 * the source image after EXIF orientation, before any other operation changes it (plan.ts).
 * Every format goes through the codecs' front door (codecs/index.ts); JPEG to JPEG resizes
 * take its planar entry and never leave YCbCr (planar.ts).
 */
import {
  CONTENT_TYPES, decodePlanar, decodeProbed, detectFormat, encodeImage, encodeYccPlanes, imageOfPlanes, probe, Scratch,
  type DecodedImage, type DecodeOptions, type YccPlanes,
} from '../codecs/index.js';
import { asBytes, type ImageBytes } from '../codecs/bytes.js';
import { hasTransparency } from '../codecs/types.js';
import { DEFAULT_LIMITS, type Limits } from '../config.js';
import { isProxyError, UnprocessableImageError } from '../errors.js';
import { emptyOptions, isTransform, type Options } from '../request/options.js';
import { planTransform, refusal, type TransformPlan } from './plan.js';
import { renderPlanes } from './planar.js';
import { renderPlanned } from './render.js';
import type { TransformResult } from './types.js';
import { colourPlanFor, convertFrames, convertPlanes, convertsAfterRender, decodeForColour, withProfile } from './colour.js';
import type { ColourPlan } from '../color/index.js';

export { jpegQuality, outputFormat } from './plan.js';
export { renderFrames } from './render.js';

/** UNKNOWN_CONTENT_TYPE labels untouched bytes whose format could not be recognised. */
const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/** decodeOptions are the bounds and the decode-time shrink the plan gives the decoder. */
function decodeOptions(plan: TransformPlan): DecodeOptions {
  const { maxPixels, maxFrames, maxScans } = plan.limits;
  return { maxPixels, maxFrames, maxScans, ...(plan.shrink > 1 ? { shrink: plan.shrink } : {}) };
}

/** Decoded is a source decoded for its plan: RGBA frames, or 4:2:0 planes through the YCbCr path. */
type Decoded = { image: DecodedImage; ycc?: undefined } | { ycc: YccPlanes; image?: undefined };

/**
 * decodeFor decodes the source for plan: for a planar plan to planes and, when they suit it,
 * straight through the YCbCr path to 4:2:0 planes ready to encode; otherwise to RGBA frames.
 * The planes come from scratch, whose buffers the caller gives back once it has encoded.
 */
async function decodeFor(bytes: Uint8Array, plan: TransformPlan, colour: ColourPlan, scratch: Scratch): Promise<Decoded> {
  try {
    const special = await decodeForColour(bytes, plan, colour, decodeOptions(plan));
    if (special) return { image: special };
    if (!plan.planar) return { image: await decodeProbed(bytes, plan.source, decodeOptions(plan)) };
    // The YCbCr path resamples chroma at its own size, so a reduced decode need not undo the
    // subsampling (for 4000 -> 500w that is a quarter of the chroma inverse DCT work).
    const d = await decodePlanar(bytes, plan.source, { ...decodeOptions(plan), subsampledChroma: true, scratch });
    if (d.image) return { image: d.image };
    const ycc = renderPlanes(d.planes, plan, scratch);
    return ycc ? { ycc } : { image: imageOfPlanes(d.planes, plan.source) };
  } catch (err) {
    if (isProxyError(err)) throw err;
    throw new UnprocessableImageError('The image could not be decoded.');
  }
}

/**
 * execute carries out a plan that fits its limits on the bytes it was made for and encodes
 * the result as plan.encoder says.
 */
export async function execute(bytes: Uint8Array, plan: TransformPlan): Promise<TransformResult> {
  const scratch = new Scratch();
  try {
    return await executeWith(bytes, plan, scratch);
  } finally {
    // Nothing lent survives the encode: the result is a new array, so the planes can be reused.
    scratch.release();
  }
}

/** executeWith is execute with the scratch buffers the planar path decodes and resamples into. */
async function executeWith(bytes: Uint8Array, plan: TransformPlan, scratch: Scratch): Promise<TransformResult> {
  const contentType = CONTENT_TYPES[plan.encoder.format];
  const colour = colourPlanFor(bytes, plan);
  const decoded = await decodeFor(bytes, plan, colour, scratch);
  const done = (encoded: Uint8Array): TransformResult => {
    const out = withProfile(encoded, plan, colour);
    return colour.warnings.length > 0 ? { bytes: out, contentType, warnings: colour.warnings } : { bytes: out, contentType };
  };
  if (decoded.ycc) {
    // The YCbCr path converts its output planes: the colour step then costs output pixels only.
    convertPlanes(decoded.ycc, colour);
    return done(await encodeYccPlanes(decoded.ycc, plan.encoder));
  }
  const { image } = decoded;
  // The colour step runs where there are fewer pixels: on the decoded image (after any
  // decode-time shrink) or on the rendered frames.
  const late = convertsAfterRender(image, plan);
  if (!late) convertFrames(image.frames, colour);
  const frames = await renderPlanned(image, plan);
  if (late) convertFrames(frames, colour);
  // No step makes an opaque image transparent (no padding; resampling opaque pixels gives
  // opaque ones, and an alpha of 254 from rounding would be an artefact anyway), so only a
  // source with alpha has its output frames scanned: for an animated GIF that is 5% of the work.
  const hasAlpha = plan.encoder.format !== 'jpeg' && image.hasAlpha && frames.some((f) => hasTransparency(f.bitmap.data));
  return done(await encodeImage({ frames, loopCount: plan.animated ? image.loopCount : 0, hasAlpha }, plan.encoder));
}

/** withDefaults fills what `given` leaves out (or sets to undefined) from `defaults`. */
function withDefaults<T extends object>(defaults: T, given: Partial<T>): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * transform decodes bytes, applies options within limits and encodes the result.
 *
 * Options and limits may be partial: what they leave out is emptyOptions()'s and DEFAULT_LIMITS'
 * (so `transform(bytes, { width: 300 })` works as is). Options that change nothing return the
 * original bytes; SVG is always returned unchanged. Throws UnprocessableImageError (422) for
 * images it will not decode or outputs too large.
 */
export async function transform(input: ImageBytes, options: Partial<Options>, limits: Partial<Limits> = DEFAULT_LIMITS): Promise<TransformResult> {
  return transformWithin(asBytes(input), withDefaults(emptyOptions(), options), withDefaults(DEFAULT_LIMITS, limits));
}

/** transformWithin is transform with complete options and limits. */
async function transformWithin(bytes: Uint8Array, options: Options, limits: Limits): Promise<TransformResult> {
  const format = detectFormat(bytes);
  if (!isTransform(options) || format === 'svg') {
    return { bytes, contentType: format ? CONTENT_TYPES[format] : UNKNOWN_CONTENT_TYPE };
  }
  const plan = planTransform(probe(bytes, { maxFrames: limits.maxFrames, format }), options, limits);
  const refused = refusal(plan);
  if (refused) throw refused;
  return execute(bytes, plan);
}
