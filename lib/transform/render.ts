/**
 * The RGBA half of executing a plan: orientation, the pixel-dependent steps (trim, smart
 * crop), crop and resize, and turns, on every frame the plan keeps.
 */
import type { Bitmap, DecodedImage, Frame, ProbeResult } from '../codecs/types.js';
import type { Limits } from '../config.js';
import { UnprocessableImageError } from '../errors.js';
import type { Options } from '../request/options.js';
import type { Dihedral } from './dihedral.js';
import {
  clampRect, isFullRect, orientedSize, scaleSteps, stepsFor, type Plan, type Rect, type ResizeStep, type Size,
} from './geometry.js';
import { applySteps, crop, findTrim, orient, turned, type Resizer } from './ops.js';
import { resize } from './resample.js';
import { resizeForGif } from '../codecs/gif-resize.js';
import { findSmartCrop } from './smartcrop.js';
import { isPixelDependent, planTransform, stepsTooLarge, tooLarge, type TransformPlan } from './plan.js';

/** FrameSteps are what every kept frame goes through after orientation: a trim, then steps. */
interface FrameSteps {
  trim?: Rect;
  steps: readonly ResizeStep[];
}

function sameSize(a: Size, b: Size): boolean {
  return a.width === b.width && a.height === b.height;
}

/** withCrop is geometry with its crop replaced by r, clamped to a src-sized image (none when r covers it). */
function withCrop(geometry: Plan, r: Rect, src: Size): Plan {
  const c = clampRect(r, src);
  return { ...geometry, crop: isFullRect(c, src) ? undefined : c };
}

/**
 * rebased is plan made again for a source that decoded at `actual` (oriented) size rather than
 * its header's: geometry must refer to the pixels there are.
 */
function rebased(plan: TransformPlan, actual: Size): TransformPlan {
  // Orienting a size is its own inverse: it swaps the sides or leaves them.
  const stored = orientedSize(actual, plan.orientation);
  return planTransform({ ...plan.source, width: stored.width, height: stored.height }, plan.options, plan.limits);
}

/**
 * frameSteps settles the steps for the first oriented frame: the plan's own, mapped onto a
 * decode-time reduced image where the decoder applied the plan's shrink; or, for trim and smart
 * crop, derived from the pixels and judged against the limits again, since they change the sizes.
 */
async function frameSteps(first: Bitmap, shrink: number, plan: TransformPlan, frames: number): Promise<FrameSteps> {
  const size: Size = { width: first.width, height: first.height };
  if (shrink > 1 && !isPixelDependent(plan)) return { steps: scaleSteps(plan.steps, plan.oriented, size, shrink) };
  const p = sameSize(size, plan.oriented) ? plan : rebased(plan, size);
  if (p === plan && !isPixelDependent(plan)) return { steps: plan.steps };
  const smart = p.smartCrop && await findSmartCrop(first, p.smartCrop.width, p.smartCrop.height);
  const geometry = smart ? withCrop(p.geometry, smart, size) : p.geometry;
  const trim = p.trim ? findTrim(first) : undefined;
  const current: Size = trim ? { width: trim.x1 - trim.x0, height: trim.y1 - trim.y0 } : size;
  const steps = stepsFor(geometry, current);
  if (stepsTooLarge(steps, current, p.limits, frames)) throw tooLarge(p.limits);
  return { trim, steps };
}

/**
 * gifResize is the resize for GIF output: gif-resize.ts's integer Lanczos for opaque frames
 * (their colours are then cut to a small palette, which the float resampler's exactness does not
 * survive), the float one otherwise.
 */
const gifResize: Resizer = (m, width, height, window) => resizeForGif(m, width, height, window) ?? resize(m, width, height, window);

/** applyFrame runs the settled steps and the turn on one oriented frame. */
function applyFrame(oriented: Bitmap, s: FrameSteps, turn: Dihedral, resizer: Resizer): Bitmap {
  let m = oriented;
  if (s.trim) m = crop(m, s.trim);
  m = applySteps(m, s.steps, resizer);
  return turned(m, turn);
}

/**
 * renderPlanned carries out plan on decoded RGBA frames (every frame when the plan keeps the
 * animation, else the first): orientation, trim, crop, resize, rotate, flip. Throws
 * UnprocessableImageError when a pixel-dependent step makes the result exceed the limits.
 */
export async function renderPlanned(decoded: DecodedImage, plan: TransformPlan): Promise<Frame[]> {
  if (decoded.frames.length === 0) throw new UnprocessableImageError('The image has no frames.');
  const frames = plan.animated ? decoded.frames : decoded.frames.slice(0, 1);
  // Steps come from the first frame and apply to all, so animations stay consistent.
  const first = orient(frames[0].bitmap, plan.orientation);
  const s = await frameSteps(first, decoded.shrink, plan, frames.length);
  const resizer = plan.encoder.format === 'gif' ? gifResize : resize;
  return frames.map((f, i) => ({
    bitmap: applyFrame(i === 0 ? first : orient(f.bitmap, plan.orientation), s, plan.turn, resizer),
    delayMs: f.delayMs,
  }));
}

/**
 * renderFrames applies options to frames decoded elsewhere (all of them, or only the first
 * unless `allFrames`), as transform() would: it plans for `header`, the stored size of the
 * source before any decode-time shrink, and runs renderPlanned. Throws UnprocessableImageError
 * when the result would exceed limits.maxOutputSide or maxPixels.
 */
export async function renderFrames(
  decoded: DecodedImage, header: Size, options: Options, limits: Limits, allFrames: boolean,
): Promise<Frame[]> {
  const count = allFrames ? decoded.frames.length : 1;
  const source: ProbeResult = {
    format: decoded.format, width: header.width, height: header.height, frames: decoded.frames.length,
    pixels: header.width * header.height * decoded.frames.length, orientation: decoded.orientation,
  };
  const plan = { ...planTransform(source, options, limits), animated: allFrames, frames: count };
  if (!isPixelDependent(plan) && stepsTooLarge(plan.steps, plan.oriented, limits, count)) throw tooLarge(limits);
  return renderPlanned(decoded, plan);
}
