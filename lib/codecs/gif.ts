/**
 * GIF codec: our own bounded decoder (block walker, LZW, compositor with disposal) and a
 * median-cut quantizer in front of omggif's writer.
 */
import omggif from 'omggif';
import { badImage, hasTransparency, type Bitmap, type Frame } from './types.js';
import { DEFAULT_MAX_FRAMES } from '../config.js';

export { DEFAULT_MAX_FRAMES };

const { GifWriter } = omggif;

/** GifFrameInfo is one image descriptor with its graphic control values, as the walker saw it. */
interface GifFrameInfo {
  x: number; y: number; width: number; height: number;
  interlaced: boolean;
  /** Offset and entry count of the colour table in force (local, else global). */
  paletteOffset: number; paletteSize: number;
  /** Transparent colour index, or -1. */
  transparent: number;
  delayCs: number;
  disposal: number;
  /** LZW minimum code size, and the offset of the first image data sub-block's length byte. */
  minCodeSize: number;
  dataStart: number;
}

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

/**
 * lzwIndices decodes one frame's LZW data into at most `count` colour indices and returns how
 * many it produced. omggif's decoder can chase a cyclic code table forever on corrupt input;
 * this one copies each string exactly its recorded length and stops at the first invalid code.
 */
function lzwIndices(b: Uint8Array, f: GifFrameInfo, out: Uint8Array): number {
  const count = out.length;
  const prefix = new Uint16Array(4096), suffix = new Uint8Array(4096), length = new Uint16Array(4096), first = new Uint8Array(4096);
  const clear = 1 << f.minCodeSize, eoi = clear + 1;
  for (let i = 0; i < clear; i++) { suffix[i] = i; length[i] = 1; first[i] = i; }
  let next = clear + 2, width = f.minCodeSize + 1, prev = -1, op = 0;
  // q walks the sub-block chain readGifInfo already checked; left is what remains of the current block.
  let acc = 0, bits = 0, q = f.dataStart, left = 0;
  for (;;) {
    while (bits < width) {
      while (left === 0) {
        left = b[q++];
        if (left === 0) return op; // block terminator: end of data
      }
      acc |= b[q++] << bits;
      left--;
      bits += 8;
    }
    const code = acc & ((1 << width) - 1);
    acc >>>= width;
    bits -= width;
    if (code === clear) { next = clear + 2; width = f.minCodeSize + 1; prev = -1; continue; }
    if (code === eoi) return op;
    if (prev < 0) {
      if (code >= clear) return op;
    } else {
      if (code > next || (code === next && next >= 4096)) return op;
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = code < next ? first[code] : first[prev];
        length[next] = length[prev] + 1;
        first[next] = first[prev];
        next++;
        if (next === 1 << width && width < 12) width++;
      }
    }
    const n = length[code];
    let c = code;
    for (let k = n - 1; k >= 0; k--) {
      if (op + k < count) out[op + k] = suffix[c];
      c = prefix[c];
    }
    op += n;
    prev = code;
    if (op >= count) return count;
  }
}

/** blit draws one frame's decoded indices onto the canvas, skipping transparent pixels. */
function blit(b: Uint8Array, f: GifFrameInfo, indices: Uint8Array, decoded: number, canvas: Uint8Array, W: number): void {
  const rows: number[] = [];
  if (f.interlaced) {
    for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let r = start; r < f.height; r += step) rows.push(r);
  }
  for (let i = 0; i < decoded; i++) {
    const idx = indices[i];
    if (idx === f.transparent) continue;
    const row = Math.floor(i / f.width);
    const y = f.y + (f.interlaced ? rows[row] : row), x = f.x + (i % f.width);
    const o = (y * W + x) * 4;
    if (idx < f.paletteSize) {
      const pp = f.paletteOffset + idx * 3;
      canvas[o] = b[pp]; canvas[o + 1] = b[pp + 1]; canvas[o + 2] = b[pp + 2];
    } else {
      canvas[o] = canvas[o + 1] = canvas[o + 2] = 0; // index past the colour table: black, as browsers draw it
    }
    canvas[o + 3] = 255;
  }
}

/** decodeGif composites every frame onto a full canvas, applying each frame's disposal. */
export function decodeGif(bytes: Uint8Array): { frames: Frame[]; loopCount: number; hasAlpha: boolean } {
  const info = readGifInfo(bytes);
  const { width: W, height: H } = info;
  const canvas = new Uint8Array(W * H * 4); // starts transparent, as browsers and Go do
  const frames: Frame[] = [];
  let hasAlpha = false;
  for (const f of info.frames) {
    const saved = f.disposal === 3 ? canvas.slice() : undefined;
    const indices = new Uint8Array(f.width * f.height);
    // A short stream draws what it has, as browsers do; the rest keeps the canvas underneath.
    blit(bytes, f, indices, lzwIndices(bytes, f, indices), canvas, W);
    const data = canvas.slice();
    hasAlpha ||= hasTransparency(data);
    frames.push({ bitmap: { width: W, height: H, data }, delayMs: f.delayCs * 10 });
    if (f.disposal === 2) {
      for (let y = f.y; y < f.y + f.height; y++) canvas.fill(0, (y * W + f.x) * 4, (y * W + f.x + f.width) * 4);
    } else if (saved) {
      canvas.set(saved);
    }
  }
  return { frames, loopCount: info.frames.length > 1 ? info.loopCount : 0, hasAlpha };
}

/** Quantized is one frame reduced to a palette: colours as 0xRRGGBB, padded to a power of two. */
interface Quantized { palette: number[]; indices: Uint8Array; transparent?: number }

/** ALPHA_THRESHOLD: GIF has 1-bit transparency; pixels below half opacity become transparent. */
const ALPHA_THRESHOLD = 128;

/**
 * quantize maps a frame to at most 256 colours (255 plus a transparent slot when keepAlpha):
 * the exact colours when few enough, else median cut over a 15-bit histogram.
 */
export function quantize(rgba: Uint8Array, keepAlpha: boolean): Quantized {
  const max = keepAlpha ? 255 : 256;
  const n = rgba.length >> 2;
  const indices = new Uint8Array(n);
  let colors: number[] = [];
  const exact = new Map<number, number>();
  let overflow = false;
  for (let i = 0; i < n && !overflow; i++) {
    if (keepAlpha && rgba[i * 4 + 3] < ALPHA_THRESHOLD) continue;
    const c = (rgba[i * 4] << 16) | (rgba[i * 4 + 1] << 8) | rgba[i * 4 + 2];
    if (!exact.has(c)) {
      if (exact.size === max) { overflow = true; break; }
      exact.set(c, exact.size);
    }
  }
  let lookup: (i: number) => number;
  if (!overflow) {
    colors = [...exact.keys()];
    lookup = (i) => exact.get((rgba[i * 4] << 16) | (rgba[i * 4 + 1] << 8) | rgba[i * 4 + 2]) as number;
  } else {
    const lut = medianCut(rgba, keepAlpha, max, colors);
    lookup = (i) => lut[((rgba[i * 4] >> 3) << 10) | ((rgba[i * 4 + 1] >> 3) << 5) | (rgba[i * 4 + 2] >> 3)];
  }
  const transparent = keepAlpha ? colors.length : undefined;
  for (let i = 0; i < n; i++) {
    indices[i] = keepAlpha && rgba[i * 4 + 3] < ALPHA_THRESHOLD ? (transparent as number) : lookup(i);
  }
  let size = 2;
  while (size < colors.length + (keepAlpha ? 1 : 0)) size <<= 1;
  const palette = colors.concat(new Array<number>(size - colors.length).fill(0));
  return { palette, indices, transparent };
}

/** medianCut fills colors with at most max averages and returns the 15-bit key -> index table. */
function medianCut(rgba: Uint8Array, keepAlpha: boolean, max: number, colors: number[]): Uint8Array {
  const count = new Float64Array(32768), sr = new Float64Array(32768), sg = new Float64Array(32768), sb = new Float64Array(32768);
  for (let i = 0; i < rgba.length; i += 4) {
    if (keepAlpha && rgba[i + 3] < ALPHA_THRESHOLD) continue;
    const k = ((rgba[i] >> 3) << 10) | ((rgba[i + 1] >> 3) << 5) | (rgba[i + 2] >> 3);
    count[k]++; sr[k] += rgba[i]; sg[k] += rgba[i + 1]; sb[k] += rgba[i + 2];
  }
  const keys: number[] = [];
  for (let k = 0; k < 32768; k++) if (count[k] > 0) keys.push(k);
  const chan = (k: number, c: number): number => (k >> (10 - 5 * c)) & 31;
  type Box = { keys: number[]; pop: number; range: number; axis: number };
  const mkBox = (ks: number[]): Box => {
    let pop = 0, range = -1, axis = 0;
    for (const k of ks) pop += count[k];
    for (let c = 0; c < 3; c++) {
      let lo = 31, hi = 0;
      for (const k of ks) { const v = chan(k, c); if (v < lo) lo = v; if (v > hi) hi = v; }
      if (hi - lo > range) { range = hi - lo; axis = c; }
    }
    return { keys: ks, pop, range, axis };
  };
  const boxes: Box[] = [mkBox(keys)];
  while (boxes.length < max) {
    let best = -1, bestScore = 0;
    for (let i = 0; i < boxes.length; i++) {
      const s = boxes[i].keys.length > 1 ? boxes[i].pop * (boxes[i].range + 1) : 0;
      if (s > bestScore) { bestScore = s; best = i; }
    }
    if (best < 0) break;
    const box = boxes[best];
    box.keys.sort((a, b) => chan(a, box.axis) - chan(b, box.axis));
    let acc = 0, cut = 1;
    for (let i = 0; i < box.keys.length - 1; i++) {
      acc += count[box.keys[i]];
      if (acc >= box.pop / 2) { cut = i + 1; break; }
      cut = i + 1;
    }
    boxes.splice(best, 1, mkBox(box.keys.slice(0, cut)), mkBox(box.keys.slice(cut)));
  }
  const pal: number[][] = boxes.map((bx) => {
    let r = 0, g = 0, b = 0;
    for (const k of bx.keys) { r += sr[k]; g += sg[k]; b += sb[k]; }
    return [Math.round(r / bx.pop), Math.round(g / bx.pop), Math.round(b / bx.pop)];
  });
  for (const [r, g, b] of pal) colors.push((r << 16) | (g << 8) | b);
  const lut = new Uint8Array(32768);
  for (const k of keys) {
    const r = (chan(k, 0) << 3) + 4, g = (chan(k, 1) << 3) + 4, b = (chan(k, 2) << 3) + 4;
    let bi = 0, bd = Infinity;
    for (let i = 0; i < pal.length; i++) {
      const d = (pal[i][0] - r) ** 2 + (pal[i][1] - g) ** 2 + (pal[i][2] - b) ** 2;
      if (d < bd) { bd = d; bi = i; }
    }
    lut[k] = bi;
  }
  return lut;
}

/**
 * encodeGif writes every frame as a full-canvas image with a local palette; frames with
 * transparency use "restore to background" disposal so earlier frames do not show through.
 */
export function encodeGif(frames: Frame[], loopCount: number, hasAlpha: boolean): Uint8Array {
  if (frames.length === 0) throw badImage('There is no frame to encode');
  const { width, height } = frames[0].bitmap;
  if (width > 65535 || height > 65535) throw badImage('The image is too large for GIF');
  // LZW output stays under 12 bits per pixel; add room for palettes and block overhead.
  let cap = 1024;
  for (const f of frames) cap += Math.ceil(f.bitmap.width * f.bitmap.height * 1.6) + 1024;
  const buf = new Uint8Array(cap);
  try {
    const opts = frames.length > 1 && loopCount >= 0 ? { loop: Math.min(loopCount, 65535) } : {};
    const writer = new GifWriter(buf, width, height, opts);
    for (const f of frames) {
      const bm: Bitmap = f.bitmap;
      if (bm.width !== width || bm.height !== height) throw new Error('frames differ in size');
      const q = quantize(bm.data, hasAlpha);
      writer.addFrame(0, 0, width, height, q.indices as unknown as number[], {
        palette: q.palette,
        delay: Math.min(65535, Math.max(0, Math.round(f.delayMs / 10))), // a 16-bit field in centiseconds
        disposal: hasAlpha ? 2 : 0,
        transparent: q.transparent,
      });
    }
    return buf.slice(0, writer.end());
  } catch (err) {
    throw badImage('The image could not be encoded as GIF', err);
  }
}
