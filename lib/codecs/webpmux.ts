/**
 * The WebP RIFF container: a bounded chunk walker, the extended-format (VP8X) fields, and our own
 * muxer and demuxer for animations (ANIM + ANMF frames), after the WebP container specification.
 *
 * libwebp's wasm build (jsquash) encodes and decodes still images only, so animations are put
 * together here from still frames and taken apart here into still frames.
 */
import { badImage } from './types.js';

/** WEBP_MAX_SIDE is the largest width or height a VP8/VP8L bitstream can code (14 bits). */
export const WEBP_MAX_SIDE = 16383;
/** WEBP_MAX_DURATION_MS is the largest ANMF frame duration (24 bits). */
export const WEBP_MAX_DURATION_MS = 0xffffff;

/** VP8X_ALPHA is the VP8X flag saying the image has alpha. */
export const VP8X_ALPHA = 0x10;
/** VP8X_ANIMATION is the VP8X flag saying the file is an animation (ANIM + ANMF chunks). */
export const VP8X_ANIMATION = 0x02;

/** Chunk is one RIFF chunk: its FourCC and where its payload lies in the file. */
export interface Chunk {
  fourcc: string;
  /** Offset of the payload (after the 8-byte header). */
  at: number;
  /** Payload size as declared (without the pad byte). */
  size: number;
}

function u24(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
}

function put24(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255; b[at + 1] = (v >>> 8) & 255; b[at + 2] = (v >>> 16) & 255;
}

function put32(b: Uint8Array, at: number, v: number): void {
  put24(b, at, v); b[at + 3] = (v >>> 24) & 255;
}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

/**
 * readChunks walks the chunks in b[from, to) and returns them; a chunk that runs past `to` is a
 * 422 (truncated or a wrong size), and more than maxChunks chunks are refused.
 */
export function readChunks(b: Uint8Array, from: number, to: number, maxChunks: number): Chunk[] {
  const out: Chunk[] = [];
  let p = from;
  while (p + 8 <= to) {
    const size = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
    if (size > to - p - 8) throw badImage('The WebP file is truncated or has a chunk with a wrong size');
    if (out.length >= maxChunks) throw badImage(`The WebP file has more than ${maxChunks} chunks`);
    out.push({ fourcc: fourcc(b, p), at: p + 8, size });
    p += 8 + size + (size & 1);
  }
  return out;
}

/**
 * riffChunks checks the RIFF/WEBP header and returns the top-level chunks. The RIFF size may
 * promise less than the file holds (trailing bytes are ignored, as libwebp does), never more.
 */
export function riffChunks(b: Uint8Array, maxChunks: number): Chunk[] {
  if (b.length < 20 || fourcc(b, 0) !== 'RIFF' || fourcc(b, 8) !== 'WEBP') throw badImage('The WebP file is truncated');
  const riffSize = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
  if (riffSize < 12 || riffSize > b.length - 8) throw badImage('The WebP file is truncated or its RIFF size is wrong');
  return readChunks(b, 12, 8 + riffSize, maxChunks);
}

/** chunkBytes is a whole chunk (header, payload, pad byte) as it appears in the file. */
export function chunkBytes(b: Uint8Array, c: Chunk): Uint8Array {
  return b.subarray(c.at - 8, c.at + c.size + (c.size & 1));
}

/** makeChunk builds a chunk from a FourCC and payload parts, padded to an even length. */
export function makeChunk(id: string, ...parts: Uint8Array[]): Uint8Array {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(8 + size + (size & 1));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  put32(out, 4, size);
  let p = 8;
  for (const part of parts) { out.set(part, p); p += part.length; }
  return out;
}

/** riff wraps chunks (each already padded) into a RIFF WEBP file. */
export function riff(chunks: readonly Uint8Array[]): Uint8Array {
  const body = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(12 + body);
  out.set([0x52, 0x49, 0x46, 0x46]); put32(out, 4, 4 + body); out.set([0x57, 0x45, 0x42, 0x50], 8);
  let p = 12;
  for (const c of chunks) { out.set(c, p); p += c.length; }
  return out;
}

/** vp8xChunk is a VP8X chunk with the given flags and canvas size. */
export function vp8xChunk(flags: number, width: number, height: number): Uint8Array {
  const p = new Uint8Array(10);
  p[0] = flags; put24(p, 4, width - 1); put24(p, 7, height - 1);
  return makeChunk('VP8X', p);
}

/** StillParts are the image chunks of a still WebP: ALPH (lossy with alpha) and VP8 or VP8L. */
export interface StillParts {
  /** The ALPH chunk, whole, when the image is lossy with alpha. */
  alph?: Uint8Array;
  /** The VP8 or VP8L chunk, whole. */
  image: Uint8Array;
}

/** stillParts takes the image chunks out of a still WebP file, as our encoder writes them. */
export function stillParts(b: Uint8Array): StillParts {
  let alph: Uint8Array | undefined;
  for (const c of riffChunks(b, 64)) {
    if (c.fourcc === 'ALPH') alph = chunkBytes(b, c);
    else if (c.fourcc === 'VP8 ' || c.fourcc === 'VP8L') return { alph, image: chunkBytes(b, c) };
  }
  throw badImage('The WebP encoder wrote no image chunk');
}

/**
 * bitstreamSize reads the width and height a VP8 or VP8L chunk codes (its own header, which the
 * decoder trusts), or undefined when the chunk is too short or not a valid key frame / signature.
 */
export function bitstreamSize(chunk: Uint8Array): { width: number; height: number } | undefined {
  const id = fourcc(chunk, 0), p = 8;
  if (id === 'VP8 ' && chunk.length >= p + 10 && chunk[p + 3] === 0x9d && chunk[p + 4] === 0x01 && chunk[p + 5] === 0x2a) {
    return { width: (chunk[p + 6] | (chunk[p + 7] << 8)) & 0x3fff, height: (chunk[p + 8] | (chunk[p + 9] << 8)) & 0x3fff };
  }
  if (id === 'VP8L' && chunk.length >= p + 5 && chunk[p] === 0x2f) {
    const v = (chunk[p + 1] | (chunk[p + 2] << 8) | (chunk[p + 3] << 16) | (chunk[p + 4] << 24)) >>> 0;
    return { width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1 };
  }
  return undefined;
}

/** stillFile rebuilds a standalone still WebP of width x height from its image chunks. */
export function stillFile(parts: StillParts, width: number, height: number): Uint8Array {
  return parts.alph ? riff([vp8xChunk(VP8X_ALPHA, width, height), parts.alph, parts.image]) : riff([parts.image]);
}

/** AnimFrame is one ANMF frame: its rectangle on the canvas, timing, and how it is drawn. */
export interface AnimFrame {
  /** Offsets on the canvas; both must be even (the format stores half of each). */
  x: number;
  y: number;
  width: number;
  height: number;
  durationMs: number;
  /** Alpha-blend onto the canvas (true) or replace the rectangle (false). */
  blend: boolean;
  /** Clear the rectangle to transparent after the frame's duration. */
  dispose: boolean;
  parts: StillParts;
}

/** Animation is an animated WebP's canvas, loop count and frames. */
export interface Animation {
  width: number;
  height: number;
  /** Times to play, 0 = forever. */
  loopCount: number;
  /** Background colour hint as RGBA (ignored by players that, like libwebp's, clear to transparent). */
  background: [number, number, number, number];
  hasAlpha: boolean;
  frames: AnimFrame[];
}

/** muxAnimation writes an animated WebP: VP8X (animation, alpha), ANIM, one ANMF per frame. */
export function muxAnimation(a: Animation): Uint8Array {
  const anim = new Uint8Array(6);
  const [r, g, bl, al] = a.background;
  anim.set([bl, g, r, al]); // stored as B, G, R, A
  anim[4] = a.loopCount & 255; anim[5] = (a.loopCount >>> 8) & 255;
  const chunks = [vp8xChunk(VP8X_ANIMATION | (a.hasAlpha ? VP8X_ALPHA : 0), a.width, a.height), makeChunk('ANIM', anim)];
  for (const f of a.frames) {
    const h = new Uint8Array(16);
    put24(h, 0, f.x >>> 1); put24(h, 3, f.y >>> 1); put24(h, 6, f.width - 1); put24(h, 9, f.height - 1);
    put24(h, 12, Math.min(WEBP_MAX_DURATION_MS, Math.max(0, Math.round(f.durationMs))));
    h[15] = (f.blend ? 0 : 2) | (f.dispose ? 1 : 0);
    chunks.push(f.parts.alph ? makeChunk('ANMF', h, f.parts.alph, f.parts.image) : makeChunk('ANMF', h, f.parts.image));
  }
  return riff(chunks);
}

/**
 * demuxAnimation takes an animated WebP apart into its canvas and frames (each frame's image
 * chunks, ready for stillFile). Frames outside the canvas, missing image data, a missing ANIM
 * chunk and more than maxFrames frames are 422s.
 */
export function demuxAnimation(b: Uint8Array, maxFrames: number): Animation {
  const chunks = riffChunks(b, maxFrames + 64);
  const x = chunks[0];
  if (!x || x.fourcc !== 'VP8X' || x.size < 10) throw badImage('Animated WebP needs a VP8X chunk first');
  const width = 1 + u24(b, x.at + 4), height = 1 + u24(b, x.at + 7);
  const anim = chunks.find((c) => c.fourcc === 'ANIM');
  if (!anim || anim.size < 6) throw badImage('Animated WebP without an ANIM chunk cannot be decoded');
  const a = anim.at;
  const out: Animation = {
    width, height, loopCount: b[a + 4] | (b[a + 5] << 8), background: [b[a + 2], b[a + 1], b[a], b[a + 3]],
    hasAlpha: (b[x.at] & VP8X_ALPHA) !== 0, frames: [],
  };
  for (const c of chunks) {
    if (c.fourcc !== 'ANMF') continue;
    if (out.frames.length >= maxFrames) throw badImage(`The animated WebP has more than ${maxFrames} frames`);
    out.frames.push(readFrame(b, c, width, height));
  }
  if (out.frames.length === 0) throw badImage('Animated WebP without frames cannot be decoded');
  return out;
}

/** readFrame reads one ANMF chunk and checks that its rectangle lies on the canvas. */
function readFrame(b: Uint8Array, c: Chunk, canvasW: number, canvasH: number): AnimFrame {
  if (c.size < 16 + 8) throw badImage('An animated WebP frame is truncated');
  const p = c.at;
  const f = {
    x: 2 * u24(b, p), y: 2 * u24(b, p + 3), width: 1 + u24(b, p + 6), height: 1 + u24(b, p + 9),
    durationMs: u24(b, p + 12), blend: (b[p + 15] & 2) === 0, dispose: (b[p + 15] & 1) === 1,
  };
  if (f.x + f.width > canvasW || f.y + f.height > canvasH) throw badImage('An animated WebP frame lies outside its canvas');
  let alph: Uint8Array | undefined;
  for (const s of readChunks(b, p + 16, p + c.size, 16)) {
    if (s.fourcc === 'ALPH') alph = chunkBytes(b, s);
    else if (s.fourcc === 'VP8 ' || s.fourcc === 'VP8L') {
      const image = chunkBytes(b, s);
      // Checked before decoding: a tiny frame must not carry a bitstream that decodes to gigabytes.
      const size = bitstreamSize(image);
      if (!size || size.width !== f.width || size.height !== f.height) throw badImage('An animated WebP frame does not match its declared size');
      return { ...f, parts: { alph: s.fourcc === 'VP8 ' ? alph : undefined, image } };
    }
  }
  throw badImage('An animated WebP frame has no image data');
}
