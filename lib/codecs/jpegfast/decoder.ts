/**
 * decodeJpegFast: a baseline and progressive JPEG decoder, Huffman or arithmetic-coded (arith.ts),
 * that can decode at 1/2, 1/4 or 1/8 size straight from the DCT coefficients.
 *
 * Error policy: streams that use features this decoder does not implement (lossless,
 * hierarchical, DNL, two-component images) give `undefined`, so the caller can fall back to
 * another decoder; 12-bit samples are refused. Streams that are clearly broken (not a JPEG, truncated
 * inside the image data, malformed segments or Huffman codes, no image data) and frames larger
 * than maxPixels throw UnprocessableImageError. A scan that runs into an unexpected marker in
 * the middle of the image data also gives `undefined`, since another decoder may recover more.
 */
import { UnprocessableImageError } from '../../errors.js';
import { DEFAULT_MAX_SCANS } from '../../config.js';
import { buildHuffTable, type HuffTable } from './bitreader.js';
import { planesToRGBA, type ColorSpace, type Plane } from './color.js';
import { decodeScan, finishProgressive, type Component, type Frame } from './scan.js';
import { decodeArithScan, newArithConditioning, parseDAC, type ArithConditioning } from './arith.js';
import { ZIGZAG } from './tables.js';
import type { Scratch } from '../scratch.js';

/** FastDecoded is a decoded JPEG: RGBA8 pixels at the scale actually applied. */
export interface FastDecoded {
  width: number;
  height: number;
  /** RGBA8, row-major, no padding. */
  data: Uint8Array;
  /** denominator actually applied: the image is ceil(w/scale) x ceil(h/scale). */
  scale: 1 | 2 | 4 | 8;
}

/** DecodeOptions are the options of decodeJpegFast. */
export interface DecodeOptions {
  /** Decode at 1/scale of the full size. */
  scale: 1 | 2 | 4 | 8;
  /** Refuse frames whose width*height exceeds this, before allocating anything for them. */
  maxPixels: number;
  /** Refuse images with more scans than this (default MAX_SCANS). */
  maxScans?: number;
  /**
   * Keep subsampled chroma at its own resolution at every scale (decodeJpegPlanes only), for a
   * caller that resamples each plane at its own size: by default a reduced scale that can undo
   * the subsampling from the coefficients does (see allocate), which suits conversion to RGBA.
   */
  subsampledChroma?: boolean;
  /** Where decodeJpegPlanes takes its sample planes from (lib/codecs/scratch.ts); default new arrays. */
  scratch?: Scratch;
}

/** MAX_SCANS is the decoder's default bound on scans (see DEFAULT_MAX_SCANS in config.ts for why). */
export const MAX_SCANS = DEFAULT_MAX_SCANS;

function bad(msg: string): UnprocessableImageError {
  return new UnprocessableImageError(msg);
}

/**
 * JpegPlanes is a decoded JPEG before colour conversion: its components at the decode scale,
 * each at its own resolution (a subsampled chroma plane stays subsampled).
 */
export interface JpegPlanes {
  /** Image size at the decode scale: ceil(w/scale) x ceil(h/scale). */
  width: number;
  height: number;
  /** Largest sampling factors of the planes: plane p has hmax/p.h times fewer columns than the image. */
  hmax: number;
  vmax: number;
  planes: Plane[];
  colorSpace: ColorSpace;
  /** denominator actually applied. */
  scale: 1 | 2 | 4 | 8;
}

/** decodeJpegFast decodes a JPEG at 1/scale size (dimensions ceil(w/scale) x ceil(h/scale)), or returns undefined when the stream uses features it does not handle. */
export function decodeJpegFast(bytes: Uint8Array, opts: DecodeOptions): FastDecoded | undefined {
  const p = decodeJpegPlanes(bytes, opts);
  if (!p) return undefined;
  const data = planesToRGBA(p.planes, p.colorSpace, p.width, p.height);
  return { width: p.width, height: p.height, data, scale: p.scale };
}

/**
 * decodeJpegPlanes decodes a JPEG at 1/scale size into its component planes, or returns
 * undefined when the stream uses features it does not handle; it throws as decodeJpegFast does.
 */
export function decodeJpegPlanes(bytes: Uint8Array, opts: DecodeOptions): JpegPlanes | undefined {
  const scale = opts.scale;
  const maxScans = opts.maxScans ?? MAX_SCANS;
  if (scale !== 1 && scale !== 2 && scale !== 4 && scale !== 8) return undefined;
  const len = bytes.length;
  if (len < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw bad('The image is not a JPEG.');
  const qts: (Uint16Array | null)[] = [null, null, null, null];
  const dcts: (HuffTable | null)[] = [null, null, null, null];
  const acts: (HuffTable | null)[] = [null, null, null, null];
  let frame: Frame | null = null;
  let restartInterval = 0;
  let arith: ArithConditioning | undefined;
  let adobe = -1;
  let jfif = false;
  let scans = 0;
  let pos = 2;
  const covered = new Set<number>();
  let done = false;
  while (!done) {
    // Skip anything up to the next marker: some encoders leave junk between segments.
    while (pos < len && bytes[pos] !== 0xff) pos++;
    while (pos < len && bytes[pos] === 0xff) pos++;
    if (pos >= len) break;
    const m = bytes[pos++];
    if (m === 0xd9) break;
    if ((m >= 0xd0 && m <= 0xd7) || m === 0x01 || m === 0x00) continue;
    if (pos + 2 > len) break;
    const segLen = (bytes[pos] << 8) | bytes[pos + 1];
    if (segLen < 2) throw bad('The JPEG image has a malformed segment.');
    const start = pos + 2;
    const end = pos + segLen;
    if (end > len) {
      if (scans > 0) break;
      throw bad('The JPEG image is truncated.');
    }
    pos = end;
    switch (m) {
      case 0xe0:
        if (segLen >= 7 && bytes[start] === 0x4a && bytes[start + 1] === 0x46 && bytes[start + 2] === 0x49 && bytes[start + 3] === 0x46) jfif = true;
        break;
      case 0xee:
        if (segLen >= 14 && bytes[start] === 0x41 && bytes[start + 1] === 0x64 && bytes[start + 2] === 0x6f && bytes[start + 3] === 0x62 && bytes[start + 4] === 0x65) {
          adobe = bytes[start + 11];
        }
        break;
      case 0xdb:
        parseDQT(bytes, start, end, qts);
        break;
      case 0xc4:
        parseDHT(bytes, start, end, dcts, acts);
        break;
      case 0xdd:
        if (segLen < 4) throw bad('The JPEG image has a malformed segment.');
        restartInterval = (bytes[start] << 8) | bytes[start + 1];
        break;
      case 0xc0:
      case 0xc1:
      case 0xc2:
      case 0xc9:
      case 0xca: {
        if (frame) throw bad('The JPEG image has more than one frame header.');
        const f = parseSOF(bytes, start, end, m === 0xc2 || m === 0xca, opts.maxPixels);
        if (!f) return undefined;
        frame = f;
        frame.arithmetic = m >= 0xc9;
        allocate(frame, scale, opts.subsampledChroma === true, opts.scratch);
        break;
      }
      case 0xcc:
        parseDAC(bytes, start, end, (arith ??= newArithConditioning()));
        break;
      case 0xc3: case 0xc5: case 0xc6: case 0xc7: case 0xcb:
      case 0xcd: case 0xce: case 0xcf: case 0xdc: case 0xde: case 0xdf:
        // Lossless, hierarchical, DNL: not handled here.
        return undefined;
      case 0xda: {
        if (!frame) throw bad('The JPEG image has image data before its frame header.');
        if (scans >= maxScans) throw bad('The JPEG image has too many scans.');
        const next = frame.arithmetic
          ? decodeArithScan(bytes, start, end, frame, (arith ??= newArithConditioning()), restartInterval)
          : decodeScan(bytes, start, end, frame, qts, dcts, acts, restartInterval);
        if (next < 0) return undefined;
        pos = next;
        scans++;
        if (!frame.progressive) {
          for (let i = 0; i < bytes[start] && start + 1 + 2 * i < end; i++) covered.add(bytes[start + 1 + 2 * i]);
          // A sequential image is complete once every component has had its scan: stop here
          // rather than trip over junk that some writers leave before EOI.
          if (frame.comps.every((c) => covered.has(c.id))) done = true;
        }
        break;
      }
      default:
        break;
    }
  }
  if (!frame || scans === 0) throw bad('The JPEG image has no image data.');
  if (frame.progressive || frame.arithmetic) finishProgressive(frame, qts);
  const outW = Math.ceil(frame.width / scale);
  const outH = Math.ceil(frame.height / scale);
  const planes: Plane[] = frame.comps.map((c) => {
    const single = frame!.comps.length === 1;
    const cw = Math.ceil((frame!.width * c.h) / frame!.hmax);
    const ch = Math.ceil((frame!.height * c.v) / frame!.vmax);
    return {
      data: c.plane,
      stride: c.stride,
      width: Math.max(1, Math.min(c.stride, Math.ceil((cw * c.bsx) / 8))),
      height: Math.max(1, Math.min(c.bhp * c.bsy, Math.ceil((ch * c.bsy) / 8))),
      h: single ? 1 : c.expandedX ? frame!.hmax : c.h,
      v: single ? 1 : c.expandedY ? frame!.vmax : c.v,
    };
  });
  let cs: ColorSpace;
  const n = frame.comps.length;
  if (n === 1) cs = 'gray';
  else if (n === 3) {
    const ids = frame.comps.map((c) => c.id);
    if (adobe >= 0) cs = adobe === 0 ? 'rgb' : 'ycc';
    else if (!jfif && ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42) cs = 'rgb';
    else cs = 'ycc';
  } else cs = adobe === 2 ? 'ycck' : 'cmyk';
  const hmax = Math.max(...planes.map((q) => q.h));
  const vmax = Math.max(...planes.map((q) => q.v));
  return { width: outW, height: outH, hmax, vmax, planes, colorSpace: cs, scale };
}

function parseDQT(b: Uint8Array, p: number, end: number, qts: (Uint16Array | null)[]): void {
  while (p < end) {
    const pq = b[p] >> 4;
    const tq = b[p] & 15;
    p++;
    if (tq > 3 || pq > 1 || p + 64 * (pq + 1) > end) throw bad('The JPEG image has a malformed quantization table.');
    const t = new Uint16Array(64);
    for (let i = 0; i < 64; i++) {
      t[ZIGZAG[i]] = pq ? (b[p + 2 * i] << 8) | b[p + 2 * i + 1] : b[p + i];
    }
    p += 64 * (pq + 1);
    qts[tq] = t;
  }
}

function parseDHT(b: Uint8Array, p: number, end: number, dcts: (HuffTable | null)[], acts: (HuffTable | null)[]): void {
  while (p < end) {
    const tc = b[p] >> 4;
    const th = b[p] & 15;
    p++;
    if (tc > 1 || th > 3 || p + 16 > end) throw bad('The JPEG image has a malformed Huffman table.');
    const counts = b.slice(p, p + 16);
    p += 16;
    let total = 0;
    for (let i = 0; i < 16; i++) total += counts[i];
    if (total > 256 || p + total > end) throw bad('The JPEG image has a malformed Huffman table.');
    const t = buildHuffTable(counts, b.slice(p, p + total));
    p += total;
    (tc === 0 ? dcts : acts)[th] = t;
  }
}

function parseSOF(b: Uint8Array, p: number, end: number, progressive: boolean, maxPixels: number): Frame | undefined {
  if (end - p < 6) throw bad('The JPEG image has a malformed frame header.');
  const precision = b[p];
  const height = (b[p + 1] << 8) | b[p + 2];
  const width = (b[p + 3] << 8) | b[p + 4];
  const nf = b[p + 5];
  // jpeg-js would decode 12-bit samples as if they were 8-bit ones: refuse them (as Go does).
  if (precision !== 8) throw new UnprocessableImageError(`JPEG images with ${precision}-bit samples are not supported.`, 'jpeg_precision');
  if (height === 0) return undefined;
  if (width === 0) throw bad('The JPEG image has a zero width.');
  if (width * height > maxPixels) {
    throw new UnprocessableImageError('The image has more pixels than the server allows.', 'too_many_pixels');
  }
  if (nf !== 1 && nf !== 3 && nf !== 4) return undefined;
  if (end - p < 6 + nf * 3) throw bad('The JPEG image has a malformed frame header.');
  const comps: Component[] = [];
  let hmax = 1, vmax = 1;
  for (let i = 0; i < nf; i++) {
    const q = p + 6 + i * 3;
    const h = b[q + 1] >> 4;
    const v = b[q + 1] & 15;
    const tq = b[q + 2];
    if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) throw bad('The JPEG image has a malformed frame header.');
    if (h > hmax) hmax = h;
    if (v > vmax) vmax = v;
    comps.push({
      id: b[q], h, v, tq, bw: 0, bh: 0, bwp: 0, bhp: 0, plane: new Uint8Array(0), stride: 0, bsx: 8, bsy: 8, expandedX: false, expandedY: false,
      coefs: null, qz: new Int32Array(80), dc: null, ac: null,
    });
  }
  const mcusX = Math.ceil(width / (8 * hmax));
  const mcusY = Math.ceil(height / (8 * vmax));
  for (const c of comps) {
    c.bw = Math.ceil(Math.ceil((width * c.h) / hmax) / 8);
    c.bh = Math.ceil(Math.ceil((height * c.v) / vmax) / 8);
    if (nf === 1) {
      c.bwp = c.bw;
      c.bhp = c.bh;
    } else {
      c.bwp = mcusX * c.h;
      c.bhp = mcusY * c.v;
    }
  }
  return { progressive, width, height, comps, hmax, vmax, mcusX, mcusY };
}

function allocate(f: Frame, scale: number, keepSubsampled: boolean, scratch?: Scratch): void {
  for (const c of f.comps) {
    // A subsampled component decoded at a reduced scale can often use a larger block output
    // instead (like libjpeg's DCT scaling): 4:2:0 chroma at 1/8 becomes 2x2 per block, already at
    // the luma resolution, which is both cheaper and closer to a box filter than upsampling.
    const rh = f.hmax / c.h;
    const rv = f.vmax / c.v;
    c.bsx = c.bsy = 8 / scale;
    if (f.comps.length > 1 && !keepSubsampled) {
      if (rh > 1 && Number.isInteger(rh) && scale % rh === 0) {
        c.bsx = (8 * rh) / scale;
        c.expandedX = true;
      }
      if (rv > 1 && Number.isInteger(rv) && scale % rv === 0) {
        c.bsy = (8 * rv) / scale;
        c.expandedY = true;
      }
    }
    c.stride = c.bwp * c.bsx;
    const n = c.stride * c.bhp * c.bsy;
    c.plane = scratch ? scratch.u8(n) : new Uint8Array(n);
    if (f.progressive || f.arithmetic) c.coefs = new Int16Array(c.bwp * c.bhp * 64);
  }
}

/**
 * pickScale returns the largest decode scale (8, 4, 2 or 1) whose output, ceil(width/scale) x
 * ceil(height/scale), is still at least needWidth x needHeight. A need of 0 (or less) leaves that
 * side unconstrained; when both are, no reduction is chosen, since the caller needs the full image.
 */
export function pickScale(width: number, height: number, needWidth: number, needHeight: number): 1 | 2 | 4 | 8 {
  if (needWidth <= 0 && needHeight <= 0) return 1;
  for (const s of [8, 4, 2] as const) {
    if ((needWidth <= 0 || Math.ceil(width / s) >= needWidth) && (needHeight <= 0 || Math.ceil(height / s) >= needHeight)) return s;
  }
  return 1;
}
