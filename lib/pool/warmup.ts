/**
 * Worker warm-up. warmUp is one tiny transform through the JPEG path, which a pool may run before
 * a worker says it is ready (PoolOptions.warmUp, off by default: measured on a cold start it made
 * the worker ready ~40 ms later and the first real transform no faster).
 *
 * deepWarmUp does the real warming, on photo-sized images: measured in one thread, a 1024x683
 * JPEG -> 500w costs ~40 ms of CPU the first time, ~19 the second and ~11 once warm. The pool runs
 * it when it has been idle a while (pool.ts), so it costs neither the start-up nor a request.
 */
import { encodeImage } from '../codecs/index.js';
import { DEFAULT_LIMITS } from '../config.js';
import { parseOptions } from '../request/options.js';
import { transform } from '../transform/transform.js';

/** WARM_UP_SIZE is the side of the warm-up image: big enough for every pass to run a few rows, small enough to cost a millisecond or two once compiled. */
export const WARM_UP_SIZE = 64;

/** warmUpImage is a WARM_UP_SIZE square RGBA gradient, so the encoder sees varied blocks. */
function warmUpImage(): Uint8Array {
  const n = WARM_UP_SIZE;
  const data = new Uint8Array(n * n * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = (y * n + x) * 4;
      data[i] = x * 4;
      data[i + 1] = y * 4;
      data[i + 2] = (x + y) * 2;
      data[i + 3] = 255;
    }
  }
  return data;
}

/**
 * warmUp encodes a small JPEG and resizes it JPEG to JPEG (the planar path) and JPEG to PNG
 * (the RGBA path). A failure is ignored: warming is an optimisation, never a reason not to serve.
 */
export async function warmUp(): Promise<void> {
  try {
    const bitmap = { width: WARM_UP_SIZE, height: WARM_UP_SIZE, data: warmUpImage() };
    const jpeg = await encodeImage({ frames: [{ bitmap, delayMs: 0 }], loopCount: 0, hasAlpha: false }, { format: 'jpeg', quality: 90 });
    await transform(jpeg, parseOptions('40x'), DEFAULT_LIMITS);
    await transform(jpeg, parseOptions('24x24,png'), DEFAULT_LIMITS);
  } catch {
    // See the doc comment.
  }
}

/** DEEP_WARM_UP_WIDTH and DEEP_WARM_UP_HEIGHT size the deep warm-up image: photo-sized rows and blocks at a quarter of a 1024x683 photo's pixels. */
export const DEEP_WARM_UP_WIDTH = 512;
export const DEEP_WARM_UP_HEIGHT = 341;

/**
 * DEEP_WARM_UP_OPTIONS are the transforms deepWarmUp runs: the common JPEG resize twice (the
 * second run is still far from warm after the first), another size, and one small enough for a
 * decode-time 1/2 shrink (its own inverse DCT).
 */
export const DEEP_WARM_UP_OPTIONS: readonly string[] = ['500x,q95', '500x,q95', '250x', '80x'];

/**
 * photoLikeImage is an RGBA image of smooth shading plus fine noise, so that the encoder and
 * then the decoder see the block statistics and Huffman codes of a photo, not of flat areas.
 */
function photoLikeImage(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  let seed = 12345;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const noise = seed >>> 27;
      const i = (y * w + x) * 4;
      data[i] = (128 + 100 * Math.sin(x / 37) * Math.cos(y / 53) + noise) & 255;
      data[i + 1] = (((x + y) * 255) / (w + h) + noise) & 255;
      data[i + 2] = (200 - (y * 150) / h + noise) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

/**
 * DEEP_WARM_UP_FRAMES is the frame count of the deep warm-up's animated GIF: enough for the
 * differencing and shared-palette paths of the animation writer.
 */
export const DEEP_WARM_UP_FRAMES = 3;

/**
 * DEEP_WARM_UP_OTHER_OPTIONS are the transforms the deep warm-up runs on its PNG and its animated
 * GIF: the first GIF and PNG requests of a fresh worker otherwise run 3-5 times their steady time
 * (cold code and, mostly, fresh heap pages faulted in).
 */
export const DEEP_WARM_UP_OTHER_OPTIONS: readonly string[] = ['250x', '250x'];

/**
 * deepWarmUp encodes a photo-like JPEG of DEEP_WARM_UP_WIDTH x DEEP_WARM_UP_HEIGHT and runs
 * DEEP_WARM_UP_OPTIONS on it, then DEEP_WARM_UP_OTHER_OPTIONS on the same picture as a PNG and
 * as a DEEP_WARM_UP_FRAMES-frame GIF (~250 ms of CPU once). A failure is ignored, as warmUp's is.
 */
export async function deepWarmUp(): Promise<void> {
  try {
    const w = DEEP_WARM_UP_WIDTH, h = DEEP_WARM_UP_HEIGHT;
    const bitmap = { width: w, height: h, data: photoLikeImage(w, h) };
    const still = { frames: [{ bitmap, delayMs: 0 }], loopCount: 0, hasAlpha: false };
    const jpeg = await encodeImage(still, { format: 'jpeg', quality: 90 });
    for (const o of DEEP_WARM_UP_OPTIONS) await transform(jpeg, parseOptions(o), DEFAULT_LIMITS);
    const png = await encodeImage(still, { format: 'png', quality: 0 });
    const frames = Array.from({ length: DEEP_WARM_UP_FRAMES }, (_, i) => ({ bitmap: { width: w, height: h, data: shifted(bitmap.data, w, h, 8 * i) }, delayMs: 100 }));
    const gif = await encodeImage({ frames, loopCount: 0, hasAlpha: false }, { format: 'gif', quality: 0 });
    for (const o of DEEP_WARM_UP_OTHER_OPTIONS) {
      await transform(png, parseOptions(o), DEFAULT_LIMITS);
      await transform(gif, parseOptions(o), DEFAULT_LIMITS);
    }
  } catch {
    // See the doc comment.
  }
}

/** shifted is RGBA image data moved right by dx pixels (the left columns repeat): a panning animation frame. */
function shifted(data: Uint8Array, w: number, h: number, dx: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    const row = y * w * 4;
    out.set(data.subarray(row, row + (w - dx) * 4), row + dx * 4);
    for (let x = 0; x < dx; x++) out.set(data.subarray(row, row + 4), row + x * 4);
  }
  return out;
}
