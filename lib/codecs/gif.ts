/**
 * GIF codec: our own bounded decoder (block walker, LZW, compositor with disposal) and our own
 * writer (median-cut quantizer, LZW encoder).
 */
import { badImage, hasTransparency, type Frame } from './types.js';
import { DEFAULT_MAX_FRAMES } from '../config.js';
import { lzwDecode, lzwEncode } from './gif-lzw.js';
import { quantize, type Quantized } from './quantize.js';
import { encodeAnimatedGif } from './gif-anim.js';
import { decodeFramesWasm, lzwEncodeWasm, type GifFrameLayout } from './gifwasm/gifwasm.js';

export { DEFAULT_MAX_FRAMES, lzwDecode, lzwEncode, quantize, type Quantized };

/** GifFrameInfo is one image descriptor with its graphic control values, as the walker saw it. */
type GifFrameInfo = GifFrameLayout;

/** GifInfo is the structure of a GIF file, read without decompressing any frame. */
export interface GifInfo {
  width: number;
  height: number;
  frames: GifFrameInfo[];
  /** NETSCAPE2.0 loop count (0 = forever), or -1 when the file has no loop extension. */
  loopCount: number;
}

/**
 * readGifInfo walks every block of a GIF; it throws a 422 for truncation, a missing trailer,
 * bad frames or more than maxFrames frames.
 */
export function readGifInfo(b: Uint8Array, maxFrames = DEFAULT_MAX_FRAMES): GifInfo {
  const truncated = (): Error => badImage('The GIF file is truncated');
  if (b.length < 13) throw truncated();
  const width = b[6] | (b[7] << 8), height = b[8] | (b[9] << 8);
  if (width === 0 || height === 0) throw badImage('The GIF image has no size');
  const hasGlobal = (b[10] & 0x80) !== 0;
  const globalSize = hasGlobal ? 2 << (b[10] & 7) : 0;
  let p = 13 + globalSize * 3;
  const frames: GifFrameInfo[] = [];
  let loopCount = -1;
  let transparent = -1, delayCs = 0, disposal = 0;
  // skipSubBlocks moves p past a sub-block chain and returns where the first one's data starts.
  const skipSubBlocks = (): number => {
    const start = p + 1;
    for (;;) {
      if (p >= b.length) throw truncated();
      const size = b[p++];
      if (size === 0) return start;
      if (p + size > b.length) throw truncated();
      p += size;
    }
  };
  for (;;) {
    if (p >= b.length) throw badImage('The GIF file has no trailer (it is truncated)');
    const c = b[p++];
    if (c === 0x3b) break;
    if (c === 0x21) {
      if (p >= b.length) throw truncated();
      const label = b[p++];
      const s0 = skipSubBlocks(), n0 = b[s0 - 1];
      if (label === 0xf9 && n0 >= 4) {
        disposal = (b[s0] >> 2) & 7;
        delayCs = b[s0 + 1] | (b[s0 + 2] << 8);
        transparent = b[s0] & 1 ? b[s0 + 3] : -1;
      } else if (label === 0xff && n0 === 11) {
        const id = String.fromCharCode(...b.subarray(s0, s0 + 11));
        const s1 = s0 + 12, n1 = b[s0 + 11]; // the second sub-block (skipSubBlocks checked it is in range)
        if ((id === 'NETSCAPE2.0' || id === 'ANIMEXTS1.0') && n1 >= 3 && b[s1] === 1) loopCount = b[s1 + 1] | (b[s1 + 2] << 8);
      }
    } else if (c === 0x2c) {
      if (p + 10 > b.length) throw truncated();
      const x = b[p] | (b[p + 1] << 8), y = b[p + 2] | (b[p + 3] << 8);
      const w = b[p + 4] | (b[p + 5] << 8), h = b[p + 6] | (b[p + 7] << 8);
      const pf = b[p + 8];
      p += 9;
      let paletteOffset = 13, paletteSize = globalSize;
      if (pf & 0x80) {
        paletteOffset = p;
        paletteSize = 2 << (pf & 7);
        p += paletteSize * 3;
      } else if (!hasGlobal) {
        throw badImage('A GIF frame has no colour table');
      }
      if (x + w > width || y + h > height) throw badImage('A GIF frame lies outside the image bounds');
      if (frames.length >= maxFrames) throw badImage(`The GIF image has too many frames (more than ${maxFrames})`);
      if (p >= b.length) throw truncated();
      const minCodeSize = b[p++];
      if (minCodeSize < 1 || minCodeSize > 8) throw badImage('A GIF frame has an invalid LZW code size');
      const dataStart = p;
      skipSubBlocks();
      frames.push({ x, y, width: w, height: h, interlaced: (pf & 0x40) !== 0, paletteOffset, paletteSize, transparent, delayCs, disposal, minCodeSize, dataStart });
      transparent = -1; delayCs = 0; disposal = 0; // a graphic control extension covers one image only
    } else {
      throw badImage(`The GIF file has an unknown block type 0x${c.toString(16)}`);
    }
  }
  if (frames.length === 0) throw badImage('The GIF file has no frames');
  return { width, height, frames, loopCount };
}

/** LITTLE_ENDIAN: blit packs RGBA into 32-bit words, whose byte order is the platform's. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** blit draws one frame's decoded indices onto the canvas (as 32-bit pixels), skipping transparent ones. */
function blit(b: Uint8Array, f: GifFrameInfo, indices: Uint8Array, decoded: number, canvas: Uint32Array, W: number): void {
  // Indices past the colour table draw opaque black, as browsers draw them.
  const pal = new Uint32Array(256);
  const black = LITTLE_ENDIAN ? 0xff000000 : 0xff;
  for (let i = 0; i < 256; i++) {
    if (i >= f.paletteSize) { pal[i] = black; continue; }
    const o = f.paletteOffset + i * 3;
    pal[i] = LITTLE_ENDIAN
      ? ((0xff << 24) | (b[o + 2] << 16) | (b[o + 1] << 8) | b[o]) >>> 0
      : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | 0xff) >>> 0;
  }
  const rows = new Int32Array(f.height);
  if (f.interlaced) {
    let r = 0;
    for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let y = start; y < f.height; y += step) rows[r++] = y;
  } else {
    for (let y = 0; y < f.height; y++) rows[y] = y;
  }
  const w = f.width, t = f.transparent;
  for (let row = 0, i = 0; row < f.height && i < decoded; row++) {
    const end = Math.min(i + w, decoded);
    let o = (f.y + rows[row]) * W + f.x;
    if (t < 0) {
      for (; i < end; i++) canvas[o++] = pal[indices[i]];
    } else {
      for (; i < end; i++, o++) {
        const idx = indices[i];
        if (idx !== t) canvas[o] = pal[idx];
      }
    }
  }
}

/**
 * decodeGif composites every frame onto a full canvas, applying each frame's disposal: in
 * WebAssembly (gifwasm/gifwasm.ts) where it runs, else with decodeFramesJs, its twin.
 */
export function decodeGif(bytes: Uint8Array): { frames: Frame[]; loopCount: number; hasAlpha: boolean } {
  const info = readGifInfo(bytes);
  const { frames, hasAlpha } = decodeFramesWasm(bytes, info.width, info.height, info.frames) ?? decodeFramesJs(bytes, info);
  return { frames, loopCount: info.frames.length > 1 ? info.loopCount : 0, hasAlpha };
}

/** decodeFramesJs is decodeGif's compositor in JavaScript: the frames, and whether any pixel is not opaque. */
export function decodeFramesJs(bytes: Uint8Array, info: GifInfo): { frames: Frame[]; hasAlpha: boolean } {
  const { width: W, height: H } = info;
  const canvas = new Uint8Array(W * H * 4); // starts transparent, as browsers and Go do
  const canvas32 = new Uint32Array(canvas.buffer, canvas.byteOffset, W * H);
  const frames: Frame[] = [];
  let hasAlpha = false;
  // blit only draws opaque pixels, so an opaque canvas that was not cleared or restored stays
  // opaque and need not be scanned again.
  let knownOpaque = false;
  for (const f of info.frames) {
    const saved = f.disposal === 3 ? canvas.slice() : undefined;
    const indices = new Uint8Array(f.width * f.height);
    // A short stream draws what it has, as browsers do; the rest keeps the canvas underneath.
    blit(bytes, f, indices, lzwDecode(bytes, f.dataStart, f.minCodeSize, indices), canvas32, W);
    const data = canvas.slice();
    if (!knownOpaque) {
      const transparent = hasTransparency(data);
      hasAlpha ||= transparent;
      knownOpaque = !transparent;
    }
    frames.push({ bitmap: { width: W, height: H, data }, delayMs: f.delayCs * 10 });
    if (f.disposal === 2 || saved) knownOpaque = false;
    if (f.disposal === 2) {
      for (let y = f.y; y < f.y + f.height; y++) canvas.fill(0, (y * W + f.x) * 4, (y * W + f.x + f.width) * 4);
    } else if (saved) {
      canvas.set(saved);
    }
  }
  return { frames, hasAlpha };
}

/**
 * encodeGif writes one frame as a full-canvas image with a local palette, and several frames
 * with encodeAnimatedGif (gif-anim.ts: one global palette, frame differencing).
 * loopCount < 0 (or a single frame) writes no loop extension.
 */
export function encodeGif(frames: Frame[], loopCount: number, hasAlpha: boolean): Uint8Array {
  if (frames.length === 0) throw badImage('There is no frame to encode');
  const { width, height } = frames[0].bitmap;
  if (width > 65535 || height > 65535) throw badImage('The image is too large for GIF');
  for (const f of frames) {
    if (f.bitmap.width !== width || f.bitmap.height !== height) throw badImage('The image could not be encoded as GIF');
  }
  if (frames.length > 1) return encodeAnimatedGif(frames, loopCount, hasAlpha);
  // LZW output stays under 12 bits per pixel plus clear codes; add room for sub-block lengths,
  // palettes and block framing.
  const pixels = width * height;
  const frameCap = Math.ceil(pixels * 1.51) + Math.ceil(pixels / 128) + 768 + 64;
  const out = new Uint8Array(64 + frames.length * frameCap);
  let p = 0;
  const u16 = (v: number): void => { out[p++] = v & 0xff; out[p++] = (v >> 8) & 0xff; };
  for (const c of 'GIF89a') out[p++] = c.charCodeAt(0);
  u16(width); u16(height);
  out[p++] = 0; out[p++] = 0; out[p++] = 0; // no global colour table, background 0, no aspect ratio
  if (frames.length > 1 && loopCount >= 0) {
    out[p++] = 0x21; out[p++] = 0xff; out[p++] = 11;
    for (const c of 'NETSCAPE2.0') out[p++] = c.charCodeAt(0);
    out[p++] = 3; out[p++] = 1; u16(Math.min(loopCount, 65535)); out[p++] = 0;
  }
  for (const f of frames) {
    const q = quantize(f.bitmap.data, hasAlpha);
    const delay = Math.min(65535, Math.max(0, Math.round(f.delayMs / 10))); // a 16-bit field in centiseconds
    const disposal = hasAlpha ? 2 : 0;
    if (disposal !== 0 || q.transparent !== undefined || delay !== 0) {
      out[p++] = 0x21; out[p++] = 0xf9; out[p++] = 4;
      out[p++] = (disposal << 2) | (q.transparent !== undefined ? 1 : 0);
      u16(delay);
      out[p++] = q.transparent ?? 0;
      out[p++] = 0;
    }
    let bitsPerEntry = 1;
    while (1 << bitsPerEntry < q.palette.length) bitsPerEntry++;
    out[p++] = 0x2c; u16(0); u16(0); u16(width); u16(height);
    out[p++] = 0x80 | (bitsPerEntry - 1); // local colour table of 2^bitsPerEntry entries
    for (const c of q.palette) { out[p++] = (c >> 16) & 0xff; out[p++] = (c >> 8) & 0xff; out[p++] = c & 0xff; }
    p = lzwEncodeWasm(q.indices, Math.max(2, bitsPerEntry), out, p); // GIF's smallest LZW code size is 2
  }
  out[p++] = 0x3b;
  return out.slice(0, p);
}
