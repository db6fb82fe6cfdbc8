/**
 * Animated WebP composition: each ANMF frame drawn onto the canvas with its blending and the
 * previous frame's disposal, as libwebp's WebPAnimDecoder does (the canvas starts transparent and
 * disposal clears to transparent; the ANIM background colour is only a hint).
 */
import { badImage, type Bitmap, type Frame } from './types.js';
import type { AnimFrame, Animation } from './webpmux.js';

/** blendPixel draws straight-alpha src over dst at byte offsets s and d, with libwebp's integer math. */
function blendPixel(src: Uint8Array, s: number, dst: Uint8Array, d: number): void {
  const sa = src[s + 3];
  if (sa === 255) {
    dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]; dst[d + 3] = 255;
    return;
  }
  if (sa === 0) return;
  const dstFactor = (dst[d + 3] * (256 - sa)) >> 8;
  const a = sa + dstFactor;
  const scale = Math.floor((1 << 24) / a);
  for (let c = 0; c < 3; c++) dst[d + c] = ((src[s + c] * sa + dst[d + c] * dstFactor) * scale) >>> 24;
  dst[d + 3] = a;
}

/** drawFrame puts a decoded frame's pixels into the canvas rectangle, blending or replacing. */
function drawFrame(canvas: Bitmap, f: AnimFrame, px: Bitmap): void {
  const cw = canvas.width, out = canvas.data, src = px.data;
  for (let y = 0; y < f.height; y++) {
    const srow = y * f.width * 4, drow = ((f.y + y) * cw + f.x) * 4;
    if (!f.blend) { out.set(src.subarray(srow, srow + f.width * 4), drow); continue; }
    for (let x = 0; x < f.width * 4; x += 4) blendPixel(src, srow + x, out, drow + x);
  }
}

/** clearRect sets a frame's rectangle of the canvas to transparent black. */
function clearRect(canvas: Bitmap, f: AnimFrame): void {
  for (let y = 0; y < f.height; y++) {
    const at = ((f.y + y) * canvas.width + f.x) * 4;
    canvas.data.fill(0, at, at + f.width * 4);
  }
}

/**
 * composeAnimation decodes every frame with decodeFrame and returns the full canvas after each,
 * with its duration; a frame whose decoded size differs from its ANMF header is a 422.
 */
export async function composeAnimation(a: Animation, decodeFrame: (f: AnimFrame) => Promise<Bitmap>): Promise<Frame[]> {
  const canvas: Bitmap = { width: a.width, height: a.height, data: new Uint8Array(a.width * a.height * 4) };
  const out: Frame[] = [];
  let prev: AnimFrame | undefined;
  for (const f of a.frames) {
    if (prev?.dispose) clearRect(canvas, prev);
    const px = await decodeFrame(f);
    if (px.width !== f.width || px.height !== f.height) throw badImage('An animated WebP frame does not match its declared size');
    drawFrame(canvas, f, px);
    out.push({ bitmap: { width: a.width, height: a.height, data: canvas.data.slice() }, delayMs: f.durationMs });
    prev = f;
  }
  return out;
}
