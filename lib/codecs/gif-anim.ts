/**
 * The animated GIF writer: one global palette for every frame, frame differencing (what did not
 * change is drawn transparent over the previous frame, inside the rectangle that did change), and
 * for photographic frames a smaller median-cut palette. Its size choices follow gifsicle (-O2
 * differencing) and libvips' cgif writer (global palette, transparent
 * unchanged pixels, changed-area sub-rectangles). It never dithers: error diffusion turns flat
 * areas into noise, which LZW codes at several times the size.
 */
import { badImage, type Frame } from './types.js';
import { lzwEncode } from './gif-lzw.js';
import { encodeChangedWasm, type Rect } from './gifwasm/gifwasm.js';
import { quantizeFrames } from './quantize.js';

/**
 * GIF_PHOTO_COLOURS is the palette size (the transparent slot included) for frames with too many
 * colours for an exact palette. Resized photos are noise-rich, and with fewer box means LZW finds
 * longer strings: on the bench's animation 256 colours gave 960 KB at 33.1 dB PSNR, 64 608 KB at
 * 29.5 dB, 32 460 KB at 27.8 dB (sharp, with libimagequant and dithering: 450 KB at 25.4 dB).
 * 64 colours with gifsicle-style lossy LZW scored as 32 without it (482 KB, 27.8 dB) at twice
 * the LZW time, so the writer stays lossless.
 */
export const GIF_PHOTO_COLOURS = 32;

/**
 * changedRect returns the bounding rectangle of the pixels of idx that differ from what canvas
 * shows, and the frame's pixels there with unchanged ones set to the transparent index t; a
 * frame that changes nothing becomes one transparent pixel.
 */
export function changedRect(idx: Uint8Array, canvas: Uint8Array, width: number, t: number): { rect: Rect; pixels: Uint8Array } {
  const height = idx.length / width;
  let x0 = width, y0 = -1, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    // The first and last change of a row, each found scanning from its own end.
    const row = y * width;
    let first = 0;
    while (first < width && idx[row + first] === canvas[row + first]) first++;
    if (first === width) continue;
    let last = width - 1;
    while (idx[row + last] === canvas[row + last]) last--;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  if (y0 < 0) return { rect: { x: 0, y: 0, w: 1, h: 1 }, pixels: Uint8Array.of(t) };
  const rect = { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  const pixels = new Uint8Array(rect.w * rect.h);
  for (let y = 0, o = 0; y < rect.h; y++) {
    for (let x = 0, i = (rect.y + y) * width + rect.x; x < rect.w; x++, i++) {
      const v = idx[i];
      pixels[o++] = v === canvas[i] ? t : v;
    }
  }
  return { rect, pixels };
}

/**
 * encodeAnimatedGif writes frames (at least two, one size) as an animated GIF with a global
 * palette. Opaque animations are differenced against the previous frame (disposal "keep");
 * animations with transparency redraw every frame whole (disposal "restore to background").
 * loopCount < 0 writes no loop extension.
 */
export function encodeAnimatedGif(frames: Frame[], loopCount: number, hasAlpha: boolean): Uint8Array {
  const { width, height } = frames[0].bitmap;
  const differenced = !hasAlpha;
  const q = quantizeFrames(frames.map((f) => f.bitmap.data), {
    keepAlpha: hasAlpha, reserve: differenced, maxColours: 256, cutColours: GIF_PHOTO_COLOURS,
  });
  let bits = 1;
  while (1 << bits < q.palette.length) bits++;
  const min = Math.max(2, bits); // GIF's smallest LZW code size is 2
  // Each frame is coded first, so the file is written once into a buffer of its exact size. What
  // a decoder shows after each frame is that frame's indices: changedRect leaves out (makes
  // transparent) only pixels already showing the same index.
  const coded = q.indices.map((idx, i): { rect: Rect; lzw: Uint8Array } => {
    const prev = differenced && i > 0 ? q.indices[i - 1] : undefined;
    // The WebAssembly twin differences and codes in one call; the JavaScript one runs where it cannot.
    const fast = encodeChangedWasm(idx, prev, width, q.transparent ?? 0, min);
    if (fast) return fast;
    let rect: Rect = { x: 0, y: 0, w: width, h: height }, px = idx;
    if (prev) ({ rect, pixels: px } = changedRect(idx, prev, width, q.transparent!));
    // LZW output stays under 1.51 bytes per index, plus sub-block lengths and framing.
    const room = new Uint8Array(Math.ceil(px.length * 1.51) + Math.ceil(px.length / 128) + 16);
    return { rect, lzw: room.subarray(0, lzwEncode(px, min, room, 0)) };
  });
  // Header and palette, the loop extension, per frame a graphic control extension (8 bytes) and an
  // image descriptor (10) before its data, and the trailer.
  const size = 13 + 3 * q.palette.length + (loopCount >= 0 ? 19 : 0) + coded.reduce((n, c) => n + 18 + c.lzw.length, 0) + 1;
  const out = new Uint8Array(size);
  let p = 0;
  const u16 = (v: number): void => { out[p++] = v & 0xff; out[p++] = (v >> 8) & 0xff; };
  for (const c of 'GIF89a') out[p++] = c.charCodeAt(0);
  u16(width); u16(height);
  out[p++] = 0x80 | ((bits - 1) << 4) | (bits - 1); // global colour table of 2^bits entries
  out[p++] = 0; out[p++] = 0; // background 0, no aspect ratio
  for (const c of q.palette) { out[p++] = (c >> 16) & 0xff; out[p++] = (c >> 8) & 0xff; out[p++] = c & 0xff; }
  if (loopCount >= 0) {
    out[p++] = 0x21; out[p++] = 0xff; out[p++] = 11;
    for (const c of 'NETSCAPE2.0') out[p++] = c.charCodeAt(0);
    out[p++] = 3; out[p++] = 1; u16(Math.min(loopCount, 65535)); out[p++] = 0;
  }
  frames.forEach((f, i) => {
    const { rect, lzw } = coded[i];
    const delay = Math.min(65535, Math.max(0, Math.round(f.delayMs / 10))); // a 16-bit field in centiseconds
    const transparent = hasAlpha || (differenced && i > 0);
    out[p++] = 0x21; out[p++] = 0xf9; out[p++] = 4;
    out[p++] = ((differenced ? 1 : 2) << 2) | (transparent ? 1 : 0);
    u16(delay);
    out[p++] = transparent ? q.transparent! : 0;
    out[p++] = 0;
    out[p++] = 0x2c; u16(rect.x); u16(rect.y); u16(rect.w); u16(rect.h);
    out[p++] = 0; // no local colour table
    out.set(lzw, p);
    p += lzw.length;
  });
  out[p++] = 0x3b;
  if (p !== size) throw badImage('The image could not be encoded as GIF');
  return out;
}
