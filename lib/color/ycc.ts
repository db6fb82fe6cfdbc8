/**
 * The colour step on the JPEG YCbCr path: output 4:2:0 planes (already cropped and resized)
 * converted from a source RGB profile to sRGB without leaving the planar model.
 *
 * Each luma pixel is converted with the chroma sample it shares (YCbCr to RGB as JFIF defines
 * it, the profile, RGB back to YCbCr); its new luma is kept and the new chroma of the (up to)
 * four pixels that share a chroma sample is averaged, which is what the encoder would do after
 * a full-resolution conversion. It runs on the output size, so it costs little next to decoding.
 */
import { YCC_FRACTION_BITS, type YccPlanes } from '../codecs/jpegfast/encoder.js';
import { fineTables, rgbFloat } from './apply.js';
import type { Converter } from './convert.js';
import { linearToSrgb } from './pcs.js';
import { convertYccWasm, type YccWasmTables } from './wasm/ycc.js';

/** convertYccPlanes converts 4:2:0 planes from the converter's profile to sRGB, in place. */
export function convertYccPlanes(c: Converter, img: YccPlanes): void {
  if (c.matrix && c.channels === 3 && matrixYcc(c, img)) return;
  const f = rgbFloat(c);
  const { width: w, height: h, y: Y, cb: CB, cr: CR } = img;
  const unit = 1 / (1 << YCC_FRACTION_BITS), scale = 1 << YCC_FRACTION_BITS, max = 255 * scale;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const out = new Float64Array(3);
  const q = (v: number): number => { const s = Math.round(v * scale); return s < 0 ? 0 : s > max ? max : s; };
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const ci = j * cw + i;
      const cb = CB[ci] * unit - 128, cr = CR[ci] * unit - 128;
      let sb = 0, sr = 0, n = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = 2 * j + dy;
        if (yy >= h) break;
        for (let dx = 0; dx < 2; dx++) {
          const xx = 2 * i + dx;
          if (xx >= w) break;
          const yi = yy * w + xx, l = Y[yi] * unit;
          f(l + 1.402 * cr, l - 0.344136 * cb - 0.714136 * cr, l + 1.772 * cb, out);
          const r = out[0], g = out[1], b = out[2];
          Y[yi] = q(0.299 * r + 0.587 * g + 0.114 * b);
          sb += -0.168736 * r - 0.331264 * g + 0.5 * b;
          sr += 0.5 * r - 0.418688 * g - 0.081312 * b;
          n++;
        }
      }
      CB[ci] = q(sb / n + 128);
      CR[ci] = q(sr / n + 128);
    }
  }
}

/** FINE_MAX is the largest 1/16-step sample (255 * 16). */
const FINE_MAX = 255 << YCC_FRACTION_BITS;

/** MID is the 1/16-unit chroma of a neutral colour. */
const MID = 128 << YCC_FRACTION_BITS;

/** fine clamps and rounds a 1/16-unit sample to 0..FINE_MAX. */
function fine(v: number): number {
  return v > 0 ? (v < FINE_MAX ? (v + 0.5) | 0 : FINE_MAX) : 0;
}

/**
 * PAD is how far YCbCr to R'G'B' can leave 0..FINE_MAX (1.772 times the largest chroma offset,
 * for blue): the linear tables extend that far on both sides holding their end values, so a
 * pixel reads them without a clamp (the table does the clamp JFIF decoders apply).
 */
const PAD = Math.ceil(1.772 * (FINE_MAX - MID)) + 64;

/**
 * JFIF's chroma-to-R'G'B' factors in 16-bit fixed point (libjpeg's), and PAD in the same units
 * plus a rounding half: the offsets are integers, so the WebAssembly twin computes the very same
 * ones (and the sums stay positive, so the shift rounds).
 */
const CR_R = 91881, CB_G = 22554, CR_G = 46802, CB_B = 116130, PAD_Q = PAD * 65536 + 32768;

/**
 * JFIF's R'G'B'-to-chroma weights in 16-bit fixed point (each triple sums to zero, so a neutral
 * block keeps MID exactly), and what a block's four-pixel sums add before the shift by 18: 128
 * and a rounding half, in those units. The sums are non-negative (each weight triple's negative
 * part is at most half), so the shift rounds; only the top needs a clamp.
 */
const CB_R_OUT = 11058, CB_G_OUT = 21710, CB_B_OUT = 32768, CR_R_OUT = 32768, CR_G_OUT = 27439, CR_B_OUT = 5329;
const CHROMA_Q = (MID << 18) + (1 << 17);

/**
 * OUT_BITS is the resolution of the linear-to-sRGB table of the YCbCr path: at 14 bits the
 * steepest (darkest) step of sRGB's curve is 0.2 of an 8-bit step.
 */
const OUT_BITS = 14;
const OUT_LAST = (1 << OUT_BITS) - 1;

/**
 * MAX_OUT_SPAN bounds the padded output table (in multiples of 0..1): a matrix that can reach
 * further outside sRGB than this (no real profile does) takes the general path instead.
 */
const MAX_OUT_SPAN = 4;

/** Luma weights of JFIF in 16-bit fixed point (they sum to 65536), and the rounding half. */
const KR = 19595, KG = 38470, KB = 7471, HALF = 32768;

/**
 * YccTables are what matrixYcc (and its WebAssembly twin) reads for one converter: per-channel
 * linear tables indexed by a 1/16-unit R'G'B' value plus PAD (`padQ` is PAD_Q), the matrix
 * scaled to the output table's index, and the output table (linear to sRGB in 1/16 units)
 * padded to every index that matrix can reach, with `off` (its zero, plus a half for rounding)
 * added to each dot product.
 */
type YccTables = YccWasmTables;

/** YCC_TABLES holds each converter's tables, or null when its matrix reaches too far (general path). */
const YCC_TABLES = new WeakMap<Converter, YccTables | null>();

/** sameValues reports whether a and b hold the same numbers. */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** yccTables returns (building once per converter) the tables matrixYcc reads, or null. */
function yccTables(c: Converter): YccTables | null {
  const known = YCC_TABLES.get(c);
  if (known !== undefined) return known;
  const padded = (l: Float64Array): Float32Array => Float32Array.from({ length: FINE_MAX + 1 + 2 * PAD }, (_, i) => l[Math.min(FINE_MAX, Math.max(0, i - PAD))]);
  // Channels with the same curve (Display P3, Adobe RGB, ProPhoto...) share one table: a third
  // of the cache footprint, which is most of what the per-pixel reads cost.
  const fine = fineTables(c), lin: Float32Array[] = [];
  for (const l of fine) lin.push(lin.find((_t, k) => sameValues(fine[k], l)) ?? padded(l));
  const m = Float64Array.from((c.matrix as { m: readonly number[] }).m, (v) => v * OUT_LAST);
  // The dot products' reach: per row, each term at the end of its table's range that makes it smallest or largest.
  const range = lin.map((t) => [Math.min(...t), Math.max(...t)]);
  let lo = 0, hi = OUT_LAST;
  for (let row = 0; row < 3; row++) {
    let a = 0, b = 0;
    for (let col = 0; col < 3; col++) {
      const k = m[3 * row + col], x = k * range[col][0], y = k * range[col][1];
      a += Math.min(x, y); b += Math.max(x, y);
    }
    lo = Math.min(lo, Math.floor(a) - 1); hi = Math.max(hi, Math.ceil(b) + 1);
  }
  let t: YccTables | null = null;
  if (Number.isFinite(lo) && Number.isFinite(hi) && hi - lo <= MAX_OUT_SPAN * OUT_LAST) {
    const out = Uint16Array.from({ length: hi - lo + 1 }, (_, i) => Math.round(linearToSrgb((i + lo) / OUT_LAST) * FINE_MAX));
    t = { lin, m, out, off: 0.5 - lo, padQ: PAD_Q };
  }
  YCC_TABLES.set(c, t);
  return t;
}

/**
 * matrixYcc is convertYccPlanes for a matrix/TRC profile, in 1/16 units throughout: each chroma
 * sample's R'G'B' offsets are rounded to whole units once, and each of its four pixels is three
 * padded-table reads, three dot products indexing the padded output table, and integer luma.
 * The WebAssembly twin (wasm/ycc.ts) takes the blocks of each row pair that fill its groups of
 * four, jsBlocks the rest; a last odd column or row goes through edgeBlock. Returns false
 * when the tables are null.
 */
function matrixYcc(c: Converter, img: YccPlanes): boolean {
  const t = yccTables(c);
  if (!t) return false;
  jsBlocks(t, img, convertYccWasm(t, img));
  const { width: w, height: h } = img;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  if (w & 1) for (let j = 0; j < ch; j++) edgeBlock(t, img, cw - 1, j);
  if (h & 1) for (let i = 0; i < cw - (w & 1); i++) edgeBlock(t, img, i, ch - 1);
  return true;
}

/**
 * jsBlocks converts the whole 2x2 blocks of img from block `from` of each row pair on (the
 * blocks the WebAssembly twin left). The loop is written out for the four pixels (V8 runs it
 * ~15% faster than a loop over them).
 */
function jsBlocks(t: YccTables, img: YccPlanes, from: number): void {
  const { lin: [lr, lg, lb], m, out, off } = t;
  const m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7], m8 = m[8];
  const { width: w, height: h, y: Y, cb: CB, cr: CR } = img;
  const cw = (w + 1) >> 1;
  let l = 0, R = 0, G = 0, B = 0, r = 0, g = 0, b = 0;
  for (let j = 0; j < h >> 1; j++) {
    for (let i = from, ci = j * cw + from, a = 2 * j * w + 2 * from; i < w >> 1; i++, ci++, a += 2) {
      const cb = CB[ci] - MID, cr = CR[ci] - MID;
      const dr = (CR_R * cr + PAD_Q) >> 16, dg = (PAD_Q - CB_G * cb - CR_G * cr) >> 16, db = (CB_B * cb + PAD_Q) >> 16;
      let sR = 0, sG = 0, sB = 0;
    l = Y[a]; R = lr[l + dr]; G = lg[l + dg]; B = lb[l + db];
    r = out[(m0 * R + m1 * G + m2 * B + off) | 0]; g = out[(m3 * R + m4 * G + m5 * B + off) | 0]; b = out[(m6 * R + m7 * G + m8 * B + off) | 0];
    Y[a] = (KR * r + KG * g + KB * b + HALF) >> 16; sR += r; sG += g; sB += b;
    l = Y[a + 1]; R = lr[l + dr]; G = lg[l + dg]; B = lb[l + db];
    r = out[(m0 * R + m1 * G + m2 * B + off) | 0]; g = out[(m3 * R + m4 * G + m5 * B + off) | 0]; b = out[(m6 * R + m7 * G + m8 * B + off) | 0];
    Y[a + 1] = (KR * r + KG * g + KB * b + HALF) >> 16; sR += r; sG += g; sB += b;
    l = Y[a + w]; R = lr[l + dr]; G = lg[l + dg]; B = lb[l + db];
    r = out[(m0 * R + m1 * G + m2 * B + off) | 0]; g = out[(m3 * R + m4 * G + m5 * B + off) | 0]; b = out[(m6 * R + m7 * G + m8 * B + off) | 0];
    Y[a + w] = (KR * r + KG * g + KB * b + HALF) >> 16; sR += r; sG += g; sB += b;
    l = Y[a + w + 1]; R = lr[l + dr]; G = lg[l + dg]; B = lb[l + db];
    r = out[(m0 * R + m1 * G + m2 * B + off) | 0]; g = out[(m3 * R + m4 * G + m5 * B + off) | 0]; b = out[(m6 * R + m7 * G + m8 * B + off) | 0];
    Y[a + w + 1] = (KR * r + KG * g + KB * b + HALF) >> 16; sR += r; sG += g; sB += b;
      // Chroma is linear in R'G'B', so the mean chroma is the chroma of the mean colour.
      CB[ci] = Math.min(FINE_MAX, (CB_B_OUT * sB - CB_R_OUT * sR - CB_G_OUT * sG + CHROMA_Q) >> 18);
      CR[ci] = Math.min(FINE_MAX, (CR_R_OUT * sR - CR_G_OUT * sG - CR_B_OUT * sB + CHROMA_Q) >> 18);
    }
  }
}

/**
 * edgeBlock converts chroma sample (i, j) and the one or two luma pixels it has at an odd edge.
 * It allocates nothing: an odd height sends a whole row of blocks through it.
 */
function edgeBlock(t: YccTables, img: YccPlanes, i: number, j: number): void {
  const { lin: [lr, lg, lb], m, out, off } = t;
  const { width: w, height: h, y: Y, cb: CB, cr: CR } = img;
  const ci = j * ((w + 1) >> 1) + i;
  const cb = CB[ci] - MID, cr = CR[ci] - MID;
  const dr = (CR_R * cr + PAD_Q) >> 16, dg = (PAD_Q - CB_G * cb - CR_G * cr) >> 16, db = (CB_B * cb + PAD_Q) >> 16;
  let sR = 0, sG = 0, sB = 0, n = 0;
  for (let yy = 2 * j; yy < Math.min(h, 2 * j + 2); yy++) {
    for (let xx = 2 * i; xx < Math.min(w, 2 * i + 2); xx++, n++) {
      const p = yy * w + xx, l = Y[p];
      const R = lr[l + dr], G = lg[l + dg], B = lb[l + db];
      const r = out[(m[0] * R + m[1] * G + m[2] * B + off) | 0];
      const g = out[(m[3] * R + m[4] * G + m[5] * B + off) | 0];
      const b = out[(m[6] * R + m[7] * G + m[8] * B + off) | 0];
      Y[p] = (KR * r + KG * g + KB * b + HALF) >> 16;
      sR += r; sG += g; sB += b;
    }
  }
  CB[ci] = fine((-0.168736 * sR - 0.331264 * sG + 0.5 * sB) / n + MID);
  CR[ci] = fine((0.5 * sR - 0.418688 * sG - 0.081312 * sB) / n + MID);
}
