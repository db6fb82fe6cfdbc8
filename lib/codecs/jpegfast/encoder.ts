/**
 * encodeJpegFast: a baseline JPEG encoder with 4:2:0 chroma subsampling, IJG quality scaling,
 * a float AAN forward DCT and two-pass optimised Huffman tables.
 */
import { UnprocessableImageError } from '../../errors.js';
import { buildEncTable, optimalSpec, writeReusing } from './huffenc.js';
import { jsEntropy, type BlockLayout } from './entropyjs.js';
import { wasmEncoderReady, withCoefsWasm, withPlanesWasm, type Entropy } from './encwasm.js';
import {
  STD_AC_CHROMA, STD_AC_LUMA, STD_CHROMA_QUANT, STD_DC_CHROMA, STD_DC_LUMA, STD_LUMA_QUANT, ZIGZAG,
  scaleQuantTable, type HuffSpec,
} from './tables.js';

/** EncodeOptions are the options of encodeJpegFast. */
export interface EncodeOptions {
  /** IJG quality 1..100 (the same table scaling as libjpeg and Go's image/jpeg). */
  quality: number;
  /** Chroma subsampling: '420' (default, as Go writes) or '444'. Ignored for grayscale input. */
  subsampling?: '420' | '444';
  /** Build image-specific Huffman tables in a first pass (default true); false uses the Annex K tables. */
  optimizeHuffman?: boolean;
}

/** MAX_JPEG_SIDE is the largest width or height a JPEG frame header can state. */
export const MAX_JPEG_SIDE = 65535;

const AAN = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379];

/** divisors returns, in zig-zag order, the factors that turn AAN outputs into quantized values. */
function divisors(q: Uint8Array): Float64Array {
  const d = new Float64Array(64);
  for (let k = 0; k < 64; k++) {
    const n = ZIGZAG[k];
    d[k] = 1 / (q[n] * AAN[n >> 3] * AAN[n & 7] * 8);
  }
  return d;
}

/**
 * fdctQuant transforms the block at blk[base..base+63] (level-shifted samples, natural order) in
 * place and writes quantized zig-zag coefficients; it returns the zig-zag index of the last
 * non-zero one.
 */
function fdctQuant(blk: Float64Array, base: number, div: Float64Array, out: Int16Array, off: number): number {
  // Rows, then columns: the same float operations in the same order for each 8-point line.
  for (let b = base; b < base + 64; b += 8) {
    const d0 = blk[b], d1 = blk[b + 1], d2 = blk[b + 2], d3 = blk[b + 3];
    const d4 = blk[b + 4], d5 = blk[b + 5], d6 = blk[b + 6], d7 = blk[b + 7];
    const tmp0 = d0 + d7, tmp7 = d0 - d7, tmp1 = d1 + d6, tmp6 = d1 - d6;
    const tmp2 = d2 + d5, tmp5 = d2 - d5, tmp3 = d3 + d4, tmp4 = d3 - d4;
    let tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    let tmp11 = tmp1 + tmp2;
    let tmp12 = tmp1 - tmp2;
    blk[b] = tmp10 + tmp11;
    blk[b + 4] = tmp10 - tmp11;
    const z1 = (tmp12 + tmp13) * 0.707106781;
    blk[b + 2] = tmp13 + z1;
    blk[b + 6] = tmp13 - z1;
    tmp10 = tmp4 + tmp5;
    tmp11 = tmp5 + tmp6;
    tmp12 = tmp6 + tmp7;
    const z5 = (tmp10 - tmp12) * 0.382683433;
    const z2 = 0.5411961 * tmp10 + z5;
    const z4 = 1.306562965 * tmp12 + z5;
    const z3 = tmp11 * 0.707106781;
    const z11 = tmp7 + z3, z13 = tmp7 - z3;
    blk[b + 5] = z13 + z2;
    blk[b + 3] = z13 - z2;
    blk[b + 1] = z11 + z4;
    blk[b + 7] = z11 - z4;
  }
  for (let b = base; b < base + 8; b++) {
    const d0 = blk[b], d1 = blk[b + 8], d2 = blk[b + 16], d3 = blk[b + 24];
    const d4 = blk[b + 32], d5 = blk[b + 40], d6 = blk[b + 48], d7 = blk[b + 56];
    const tmp0 = d0 + d7, tmp7 = d0 - d7, tmp1 = d1 + d6, tmp6 = d1 - d6;
    const tmp2 = d2 + d5, tmp5 = d2 - d5, tmp3 = d3 + d4, tmp4 = d3 - d4;
    let tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    let tmp11 = tmp1 + tmp2;
    let tmp12 = tmp1 - tmp2;
    blk[b] = tmp10 + tmp11;
    blk[b + 32] = tmp10 - tmp11;
    const z1 = (tmp12 + tmp13) * 0.707106781;
    blk[b + 16] = tmp13 + z1;
    blk[b + 48] = tmp13 - z1;
    tmp10 = tmp4 + tmp5;
    tmp11 = tmp5 + tmp6;
    tmp12 = tmp6 + tmp7;
    const z5 = (tmp10 - tmp12) * 0.382683433;
    const z2 = 0.5411961 * tmp10 + z5;
    const z4 = 1.306562965 * tmp12 + z5;
    const z3 = tmp11 * 0.707106781;
    const z11 = tmp7 + z3, z13 = tmp7 - z3;
    blk[b + 40] = z13 + z2;
    blk[b + 24] = z13 - z2;
    blk[b + 8] = z11 + z4;
    blk[b + 56] = z11 - z4;
  }
  let last = 0;
  for (let k = 0; k < 64; k++) {
    let v = ((blk[base + ZIGZAG[k]] * div[k] + 16384.5) | 0) - 16384;
    if (v > 1023) v = 1023;
    else if (v < -1023) v = -1023;
    out[off + k] = v;
    if (v !== 0) last = k;
  }
  return last;
}

/** transform converts the image to quantized coefficients, MCU by MCU. */
function transform(
  w: number, h: number, data: Uint8Array, gray: boolean, sub: number, divY: Float64Array, divC: Float64Array,
): { coefs: Int16Array; layout: BlockLayout; last: Uint8Array } {
  const mcu = 8 * sub;
  const mx = Math.ceil(w / mcu), my = Math.ceil(h / mcu);
  const compOf = gray ? [0] : sub === 2 ? [0, 0, 0, 0, 1, 2] : [0, 1, 2];
  const bpm = compOf.length;
  const coefs = new Int16Array(mx * my * bpm * 64);
  // last[i] is the zig-zag index of block i's last non-zero coefficient (0 if none).
  const last = new Uint8Array(mx * my * bpm);
  // Y holds the MCU's luma blocks one after another (block-major), so each is transformed in place.
  const Y = new Float64Array(mcu * mcu), CB = new Float64Array(mcu * mcu), CR = new Float64Array(mcu * mcu);
  const blk = new Float64Array(64);
  // yAt[i] is where row-major MCU sample i (y * mcu + x) lives in Y.
  const yAt = new Int32Array(mcu * mcu);
  for (let y = 0; y < mcu; y++) {
    for (let x = 0; x < mcu; x++) yAt[y * mcu + x] = (((y >> 3) * sub + (x >> 3)) << 6) | ((y & 7) << 3) | (x & 7);
  }
  const sxs = new Int32Array(mcu);
  let off = 0;
  for (let by = 0; by < my; by++) {
    for (let bx = 0; bx < mx; bx++) {
      // Gather the MCU's samples, replicating the last row and column past the edges.
      for (let x = 0; x < mcu; x++) {
        const sx = bx * mcu + x;
        sxs[x] = sx < w ? sx : w - 1;
      }
      for (let y = 0; y < mcu; y++) {
        let sy = by * mcu + y;
        if (sy >= h) sy = h - 1;
        const row = sy * w;
        if (gray) {
          for (let x = 0; x < mcu; x++) Y[yAt[y * mcu + x]] = data[row + sxs[x]] - 128;
          continue;
        }
        for (let x = 0, i = y * mcu; x < mcu; x++, i++) {
          const p = (row + sxs[x]) * 4;
          const r = data[p], g = data[p + 1], b = data[p + 2];
          Y[yAt[i]] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
          CB[i] = -0.168735892 * r - 0.331264108 * g + 0.5 * b;
          CR[i] = 0.5 * r - 0.418687589 * g - 0.081312411 * b;
        }
      }
      for (let j = 0; j < sub * sub; j++) {
        last[off >> 6] = fdctQuant(Y, j * 64, divY, coefs, off);
        off += 64;
      }
      if (gray) continue;
      for (let pl = 0; pl < 2; pl++) {
        const plane = pl === 0 ? CB : CR;
        if (sub === 2) {
          for (let y = 0; y < 8; y++) {
            for (let x = 0; x < 8; x++) {
              const s = 2 * y * mcu + 2 * x;
              blk[y * 8 + x] = (plane[s] + plane[s + 1] + plane[s + mcu] + plane[s + mcu + 1]) * 0.25;
            }
          }
          last[off >> 6] = fdctQuant(blk, 0, divC, coefs, off);
        } else {
          last[off >> 6] = fdctQuant(plane, 0, divC, coefs, off);
        }
        off += 64;
      }
    }
  }
  return { coefs, last, layout: { compOf, mcus: mx * my, ncomp: gray ? 1 : 3 } };
}

/**
 * transformPlanes is transform for 4:2:0 planes: each MCU reads its four luma blocks and one
 * block of each chroma plane, replicating the last row and column past the edges.
 */
function transformPlanes(img: YccPlanes, divY: Float64Array, divC: Float64Array): { coefs: Int16Array; layout: BlockLayout; last: Uint8Array } {
  const { width: w, height: h } = img;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const mx = Math.ceil(w / 16), my = Math.ceil(h / 16);
  const coefs = new Int16Array(mx * my * 6 * 64);
  const last = new Uint8Array(mx * my * 6);
  const blk = new Float64Array(64);
  const xs = new Int32Array(8);
  const unit = 1 / (1 << YCC_FRACTION_BITS);
  let off = 0;
  const block = (plane: Uint16Array, pw: number, ph: number, x0: number, y0: number, div: Float64Array) => {
    for (let x = 0; x < 8; x++) xs[x] = x0 + x < pw ? x0 + x : pw - 1;
    for (let y = 0, i = 0; y < 8; y++) {
      const row = (y0 + y < ph ? y0 + y : ph - 1) * pw;
      for (let x = 0; x < 8; x++, i++) blk[i] = plane[row + xs[x]] * unit - 128;
    }
    last[off >> 6] = fdctQuant(blk, 0, div, coefs, off);
    off += 64;
  };
  for (let by = 0; by < my; by++) {
    for (let bx = 0; bx < mx; bx++) {
      const x0 = bx * 16, y0 = by * 16;
      block(img.y, w, h, x0, y0, divY);
      block(img.y, w, h, x0 + 8, y0, divY);
      block(img.y, w, h, x0, y0 + 8, divY);
      block(img.y, w, h, x0 + 8, y0 + 8, divY);
      block(img.cb, cw, ch, bx * 8, by * 8, divC);
      block(img.cr, cw, ch, bx * 8, by * 8, divC);
    }
  }
  return { coefs, last, layout: { compOf: [0, 0, 0, 0, 1, 2], mcus: mx * my, ncomp: 3 } };
}

function u16(v: number): number[] {
  return [(v >> 8) & 255, v & 255];
}

function dhtPayload(tc: number, th: number, spec: HuffSpec): number[] {
  return [(tc << 4) | th, ...spec.counts, ...spec.symbols];
}

/** checkSize refuses sizes a JPEG frame header cannot state. */
function checkSize(w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || w > MAX_JPEG_SIDE || h > MAX_JPEG_SIDE) {
    throw new UnprocessableImageError('The image is too large to be written as a JPEG.');
  }
}

/** encodeJpegFast encodes RGBA8 pixels (alpha ignored) as a baseline JPEG. */
export function encodeJpegFast(
  bitmap: { width: number; height: number; data: Uint8Array },
  opts: EncodeOptions,
): Uint8Array {
  const { width: w, height: h, data } = bitmap;
  checkSize(w, h);
  // One byte per pixel means grayscale input; four means RGBA.
  const gray = data.length === w * h;
  if (!gray && data.length < w * h * 4) throw new UnprocessableImageError('The image data is shorter than its size.');
  const quality = Number.isFinite(opts.quality) ? opts.quality : 75;
  const sub = gray || opts.subsampling === '444' ? 1 : 2;
  const qY = scaleQuantTable(STD_LUMA_QUANT, quality);
  const qC = scaleQuantTable(STD_CHROMA_QUANT, quality);
  const { coefs, layout, last } = transform(w, h, data, gray, sub, divisors(qY), divisors(qC));
  const write = (e: Entropy): Uint8Array => writeJpeg(w, h, sub, qY, qC, layout.ncomp, coefs.length, e, opts.optimizeHuffman !== false);
  return wasmEncoderReady() ? withCoefsWasm(coefs, layout.compOf, write) : write(jsEntropy(coefs, layout, last));
}

/**
 * YCC_FRACTION_BITS is the fraction YccPlanes samples carry below 8 bits: they are in 1/16
 * units (0..4080), so a resampled image reaches the DCT without first being rounded to bytes.
 */
export const YCC_FRACTION_BITS = 4;

/**
 * YccPlanes is an image already in JPEG's YCbCr 4:2:0: a width x height luma plane and two
 * chroma planes of ceil(width/2) x ceil(height/2), each row-major without padding, with samples
 * in 1/16 units (YCC_FRACTION_BITS). Chroma sample (i, j) stands for luma pixels 2i..2i+1,
 * 2j..2j+1 (centred, as JFIF places it).
 */
export interface YccPlanes {
  width: number;
  height: number;
  y: Uint16Array;
  cb: Uint16Array;
  cr: Uint16Array;
}

/**
 * encodeJpegPlanes encodes YCbCr 4:2:0 planes as a baseline JPEG with optimised Huffman tables:
 * no colour conversion and no chroma averaging, since the planes are already what JPEG stores.
 */
export function encodeJpegPlanes(img: YccPlanes, opts: { quality: number }): Uint8Array {
  const { width: w, height: h } = img;
  checkSize(w, h);
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  if (img.y.length < w * h || img.cb.length < cw * ch || img.cr.length < cw * ch) {
    throw new UnprocessableImageError('The image data is shorter than its size.');
  }
  const quality = Number.isFinite(opts.quality) ? opts.quality : 75;
  const qY = scaleQuantTable(STD_LUMA_QUANT, quality);
  const qC = scaleQuantTable(STD_CHROMA_QUANT, quality);
  const divY = divisors(qY), divC = divisors(qC);
  const write = (e: Entropy): Uint8Array => writeJpeg(w, h, 2, qY, qC, 3, Math.ceil(w / 16) * Math.ceil(h / 16) * 384, e, true);
  if (wasmEncoderReady()) return withPlanesWasm(img, divY, divC, write);
  const { coefs, layout, last } = transformPlanes(img, divY, divC);
  return write(jsEntropy(coefs, layout, last));
}

/**
 * writeJpeg writes the headers and entropy-coded data of quantized coefficients (ncoefs of them,
 * nc components), counting symbols first for optimised tables when optimize is set.
 */
function writeJpeg(
  w: number, h: number, sub: number, qY: Uint8Array, qC: Uint8Array, nc: number, ncoefs: number, ent: Entropy, optimize: boolean,
): Uint8Array {
  let dcSpecs: HuffSpec[] = [STD_DC_LUMA, STD_DC_CHROMA];
  let acSpecs: HuffSpec[] = [STD_AC_LUMA, STD_AC_CHROMA];
  if (optimize) {
    const f = ent.counts();
    dcSpecs = [optimalSpec(f.dc[0]) ?? STD_DC_LUMA, optimalSpec(f.dc[1]) ?? STD_DC_CHROMA];
    acSpecs = [optimalSpec(f.ac[0]) ?? STD_AC_LUMA, optimalSpec(f.ac[1]) ?? STD_AC_CHROMA];
  }
  return writeReusing((ncoefs >> 2) + 1024, (bw) => {
    bw.bytes([0xff, 0xd8]);
    bw.bytes([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    const dqt = [0, ...Array.from(ZIGZAG.subarray(0, 64), (n) => qY[n])];
    if (nc === 3) dqt.push(1, ...Array.from(ZIGZAG.subarray(0, 64), (n) => qC[n]));
    bw.bytes([0xff, 0xdb, ...u16(dqt.length + 2), ...dqt]);
    const sof = [8, ...u16(h), ...u16(w), nc];
    if (nc === 1) sof.push(1, 0x11, 0);
    else sof.push(1, (sub << 4) | sub, 0, 2, 0x11, 1, 3, 0x11, 1);
    bw.bytes([0xff, 0xc0, ...u16(sof.length + 2), ...sof]);
    const dht = [...dhtPayload(0, 0, dcSpecs[0]), ...dhtPayload(1, 0, acSpecs[0])];
    if (nc === 3) dht.push(...dhtPayload(0, 1, dcSpecs[1]), ...dhtPayload(1, 1, acSpecs[1]));
    bw.bytes([0xff, 0xc4, ...u16(dht.length + 2), ...dht]);
    const sos = nc === 1 ? [1, 1, 0x00] : [3, 1, 0x00, 2, 0x11, 3, 0x11];
    sos.push(0, 63, 0);
    bw.bytes([0xff, 0xda, ...u16(sos.length + 2), ...sos]);
    ent.emit(bw, dcSpecs.map(buildEncTable), acSpecs.map(buildEncTable));
    bw.bytes([0xff, 0xd9]);
  });
}
