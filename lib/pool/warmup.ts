/**
 * Worker warm-up: one tiny transform through the JPEG path before a worker says it is ready, so
 * the first real request does not pay for V8 compiling the decoder, resampler and encoder on
 * first call (most of a cold worker's first-transform time).
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
