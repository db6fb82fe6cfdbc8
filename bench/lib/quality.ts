/**
 * Output quality for the benchmark: decode an engine's output and score it against the
 * Lanczos3 reference resize of its source.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeImage, sniffFormat, gifFrameCount } from './decode.js';
import { lanczos3Resize, psnr, type FloatPixels, type Pixels } from './psnr.js';

/** OutputQuality describes one output image. */
export interface OutputQuality {
  /** PSNR in dB against the reference resize at the output's size. */
  psnr: number;
  width: number;
  height: number;
  /** `jpeg`, `png`, or `gif ×N` with the frame count. */
  format: string;
}

const sources = new Map<string, Pixels>();
const references = new Map<string, FloatPixels>();

/**
 * qualityOf decodes out (first frame for a GIF) and returns its PSNR against a Lanczos3 resize of
 * the decoded sourceFile to the output's own size; decodes and references are memoised.
 */
export function qualityOf(sourceFile: string, out: Uint8Array): OutputQuality {
  let src = sources.get(sourceFile);
  if (!src) {
    src = decodeImage(readFileSync(sourceFile));
    sources.set(sourceFile, src);
  }
  const decoded = decodeImage(out);
  const key = `${sourceFile}:${decoded.width}x${decoded.height}`;
  let ref = references.get(key);
  if (!ref) {
    ref = lanczos3Resize(src, decoded.width, decoded.height);
    references.set(key, ref);
  }
  let format: string = sniffFormat(out);
  if (format === 'gif') format = `gif ×${gifFrameCount(out)}`;
  return { psnr: psnr(decoded, ref), width: decoded.width, height: decoded.height, format };
}

/** IMAGING_TESTDATA holds disintegration/imaging's golden resizes (Debian golang-github-disintegration-imaging-dev). */
export const IMAGING_TESTDATA = '/usr/share/gocode/src/github.com/disintegration/imaging/testdata';

/**
 * referenceCheck returns the PSNR of imaging's own golden Lanczos output (branches.png resized to
 * 150x100) against our reference, or undefined when those files are not installed. About 55 dB
 * means the yardstick agrees with the Go resampler (imaging's linear and nearest filters score
 * 28 and 19 dB).
 */
export function referenceCheck(): number | undefined {
  const src = path.join(IMAGING_TESTDATA, 'branches.png');
  const golden = path.join(IMAGING_TESTDATA, 'out_resize_lanczos.png');
  if (!existsSync(src) || !existsSync(golden)) return undefined;
  const g = decodeImage(readFileSync(golden));
  return psnr(g, lanczos3Resize(decodeImage(readFileSync(src)), g.width, g.height));
}
