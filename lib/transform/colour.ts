/**
 * The colour steps of executing a plan: decide the source's colour plan (lib/color), decode
 * what a conversion needs that the ordinary decode loses (CMYK ink, 16-bit PNG samples), convert
 * decoded frames or the YCbCr path's output planes to sRGB, and write a kept profile into the
 * output.
 *
 * Conversion runs on the decoded image, after any decode-time shrink, or on the rendered frames
 * when those are smaller (convertsAfterRender); on the YCbCr path it runs on the output planes,
 * so JPEG to JPEG stays on that path for tagged files too.
 */
import { isProxyError } from '../errors.js';
import type { DecodedImage, DecodeOptions, Frame, YccPlanes } from '../codecs/index.js';
import { decodePlanar } from '../codecs/index.js';
import { hasTransparency } from '../codecs/types.js';
import { decodePng16 } from '../codecs/png.js';
import { decodeTiff16, decodeTiffCmyk } from '../codecs/tiff.js';
import { planesToInk } from '../codecs/jpegfast/color.js';
import {
  convertCmyk8, convertRgba16, convertRgba8, convertYccPlanes, embedProfile, EMBEDDABLE_FORMATS, planColour,
  type ColourPlan,
} from '../color/index.js';
import { isPixelDependent, type TransformPlan } from './plan.js';
import { orientedSize, scaleSteps, sizeAfter } from './geometry.js';

/** colourPlanFor reads the source's colour metadata and decides the colour step of plan. */
export function colourPlanFor(bytes: Uint8Array, plan: TransformPlan): ColourPlan {
  const keep = plan.limits.keepColorProfile === true && EMBEDDABLE_FORMATS.has(plan.encoder.format);
  try {
    return planColour(bytes, plan.source.format, { keepProfile: keep, maxProfileBytes: plan.limits.maxColorProfileSize });
  } catch (err) {
    // A reader bug must not fail the request: the pixels are then taken as sRGB.
    if (isProxyError(err)) throw err;
    return { warnings: [`colour profile ignored (pixels taken as sRGB): ${String(err instanceof Error ? err.message : err)}`] };
  }
}

/**
 * decodeForColour decodes what the colour plan needs beyond the ordinary decode: a CMYK or YCCK
 * JPEG or a CMYK TIFF to its ink, converted; a 16-bit PNG or gray/RGB TIFF at full depth, converted. Undefined means the
 * ordinary decode serves (and convertFrames runs on its frames).
 */
export async function decodeForColour(
  bytes: Uint8Array, plan: TransformPlan, colour: ColourPlan, opts: DecodeOptions,
): Promise<DecodedImage | undefined> {
  const c = colour.converter;
  if (!c) return undefined;
  const still = (width: number, height: number, data: Uint8Array, shrink: number, hasAlpha: boolean): DecodedImage => ({
    format: plan.source.format, frames: [{ bitmap: { width, height, data }, delayMs: 0 }], loopCount: 0,
    orientation: plan.source.orientation, hasAlpha, shrink,
  });
  if (c.channels === 4 && plan.source.format === 'jpeg') {
    const d = await decodePlanar(bytes, plan.source, opts);
    if (!d.planes || (d.planes.colorSpace !== 'cmyk' && d.planes.colorSpace !== 'ycck')) {
      colour.warnings.push('CMYK colour profile not applied: the JPEG decoder that took the file gives no CMYK samples');
      colour.converter = undefined;
      return d.image;
    }
    const p = d.planes;
    const rgba = new Uint8Array(p.width * p.height * 4);
    convertCmyk8(c, planesToInk(p.planes, p.colorSpace, p.width, p.height), rgba);
    colour.applied = true;
    return still(p.width, p.height, rgba, p.scale, false);
  }
  if (c.channels === 4 && plan.source.format === 'tiff') return tiffCmyk(bytes, c, colour, still);
  const png16 = plan.source.format === 'png' && bytes.length > 25 && bytes[24] === 16 && bytes[25] !== 3;
  const img = png16 ? decodePng16(bytes) : plan.source.format === 'tiff' ? decodeTiff16(bytes) : undefined;
  if (img) {
    const rgba = new Uint8Array(img.data.length);
    convertRgba16(c, img.data, rgba);
    colour.applied = true;
    return still(img.width, img.height, rgba, 1, hasTransparency(rgba));
  }
  return undefined;
}

/** tiffCmyk decodes a CMYK TIFF to its ink and converts it with c, alpha kept; undefined leaves the ordinary decode. */
function tiffCmyk(
  bytes: Uint8Array, c: NonNullable<ColourPlan['converter']>, colour: ColourPlan,
  still: (w: number, h: number, data: Uint8Array, shrink: number, hasAlpha: boolean) => DecodedImage,
): DecodedImage | undefined {
  const t = decodeTiffCmyk(bytes);
  if (!t) {
    colour.warnings.push('CMYK colour profile not applied: the TIFF is not 8- or 16-bit CMYK');
    colour.converter = undefined;
    return undefined;
  }
  const rgba = new Uint8Array(t.width * t.height * 4);
  convertCmyk8(c, t.ink, rgba);
  for (let i = 0; i < t.alpha.length; i++) rgba[4 * i + 3] = t.alpha[i];
  colour.applied = true;
  return still(t.width, t.height, rgba, 1, hasTransparency(rgba));
}

/**
 * convertsAfterRender reports whether the colour step had better run on the rendered frames than
 * on the decoded ones: when the plan's steps (nothing pixel-dependent) leave fewer pixels. The
 * resample then mixes the source's encoded values rather than sRGB ones, which moves a colour by
 * a fraction of a step except at hard edges, for a fraction of the work.
 */
export function convertsAfterRender(image: DecodedImage, plan: TransformPlan): boolean {
  if (isPixelDependent(plan) || image.frames.length === 0) return false;
  const b = image.frames[0].bitmap;
  const steps = image.shrink > 1 ? scaleSteps(plan.steps, plan.oriented, orientedSize(b, plan.orientation), image.shrink) : plan.steps;
  const out = sizeAfter(orientedSize(b, plan.orientation), steps);
  return out.width * out.height < b.width * b.height;
}

/** convertFrames converts frames to sRGB in place, as the colour plan says. */
export function convertFrames(frames: readonly Frame[], colour: ColourPlan): void {
  const c = colour.converter;
  if (!c || c.channels === 4 || colour.applied) return;
  for (const f of frames) convertRgba8(c, f.bitmap.data);
  colour.applied = true;
}

/** convertPlanes converts the YCbCr path's output planes to sRGB in place, as the colour plan says. */
export function convertPlanes(ycc: YccPlanes, colour: ColourPlan): void {
  if (colour.converter && colour.converter.channels === 3 && !colour.applied) convertYccPlanes(colour.converter, ycc);
}

/** withProfile writes the kept source profile into encoded output, when the plan keeps one. */
export function withProfile(encoded: Uint8Array, plan: TransformPlan, colour: ColourPlan): Uint8Array {
  if (!colour.keep) return encoded;
  const out = embedProfile(encoded, plan.encoder.format, colour.keep);
  if (out) return out;
  colour.warnings.push(`colour profile not kept: it does not fit a ${plan.encoder.format.toUpperCase()} file`);
  return encoded;
}
