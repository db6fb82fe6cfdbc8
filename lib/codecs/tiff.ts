/**
 * TIFF codec: our own bounded IFD parser in front of UTIF's decompressors, and UTIF's encoder.
 *
 * UTIF.decode trusts every count and offset in the file (a circular IFD chain or a 4-billion
 * entry count hangs it), so we parse the first IFD ourselves, validate it, and hand UTIF only
 * the strip and tile decompression of a layout we have checked. LZW (tiff-lzw.ts, old-style
 * codes too), Deflate and CCITT (ccitt.ts) strips are decoded by our own bounded code, as UTIF's
 * can hang on them. Chunky and planar (one plane per sample) layouts are read; JPEG-in-TIFF,
 * LogLuv and floating-point samples are refused with a 422 that names them, as Go refuses them.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import UTIF from 'utif2';
import { badImage, hasTransparency, type Bitmap } from './types.js';
import { decodeCcitt, type CcittScheme } from './ccitt.js';
import { lzwDecode } from './tiff-lzw.js';
import { readTiffIfd0, type TiffIfd } from './tiff-ifd.js';

export { isOldStyleLzw, lzwDecode } from './tiff-lzw.js';
export { MAX_TIFF_IFDS, readTiffIfd0, type TiffIfd } from './tiff-ifd.js';

/** MAX_TIFF_TILE_BYTES bounds one decompressed tile (a tile may exceed the image, but not by this much). */
export const MAX_TIFF_TILE_BYTES = 64 * 1024 * 1024;

/** SUPPORTED_COMPRESSION lists what we decode: none, CCITT (MH, G3, G4), LZW, Deflate and PackBits. */
const SUPPORTED_COMPRESSION = new Set([1, 2, 3, 4, 5, 8, 32946, 32773]);
/**
 * REFUSED_COMPRESSION names the compressions we recognise and refuse with a 422, as Go's
 * x/image/tiff refuses them: JPEG in TIFF (old-style 6 and TIFF 6's 7) and SGI LogLuv/LogL
 * (high-dynamic-range samples that need tone mapping before they fit 8 bits).
 */
const REFUSED_COMPRESSION: Record<number, string | undefined> = {
  6: 'Old-style JPEG-in-TIFF (compression 6)',
  7: 'JPEG-compressed TIFF (compression 7)',
  34676: 'LogLuv TIFF (compression 34676)',
  34677: 'LogL TIFF (compression 34677)',
};
/** CCITT_SCHEMES maps the CCITT compression numbers to our decoder's schemes (lib/codecs/ccitt.ts). */
const CCITT_SCHEMES: Record<number, CcittScheme | undefined> = { 2: 'mh', 3: 'g3', 4: 'g4' };

interface UtifInternals {
  decode: { _decompress(img: Record<string, unknown>, ifds: unknown[], data: Uint8Array, off: number, len: number,
    cmpr: number, tgt: Uint8Array, toff: number, fo: number, w: number, h: number): void };
  _copyTile(tb: Uint8Array, tw: number, th: number, b: Uint8Array, w: number, h: number, xoff: number, yoff: number): void;
  encodeImage(rgba: Uint8Array, w: number, h: number, metadata?: Record<string, unknown>): ArrayBuffer;
}
const utif = UTIF as unknown as UtifInternals;

interface Layout {
  w: number; h: number; bps: number; spp: number; photometric: number; compression: number;
  extra: number; colormap?: number[];
  /** PlanarConfiguration 2: each sample in strips or tiles of its own. */
  planar: boolean;
}

function layoutOf(ifd: TiffIfd): Layout {
  const t = ifd.tags;
  const bpsList = t.get(258) ?? [1];
  const bps = bpsList[0];
  const spp = t.get(277)?.[0] ?? bpsList.length;
  const compression = t.get(259)?.[0] ?? 1;
  const photometric = t.get(262)?.[0] ?? (spp >= 3 ? 2 : 1);
  const refused = REFUSED_COMPRESSION[compression];
  if (refused) throw badImage(`${refused} is not supported`);
  if (!SUPPORTED_COMPRESSION.has(compression)) throw badImage(`TIFF compression ${compression} is not supported`);
  const format = t.get(339)?.[0] ?? 1;
  if (format === 3) throw badImage('TIFF with floating-point samples is not supported');
  if (format !== 1) throw badImage('TIFF with signed or undefined samples is not supported');
  if (![1, 2, 4, 8, 16].includes(bps) || bpsList.some((b) => b !== bps)) throw badImage(`TIFF with ${bps} bits per sample is not supported`);
  if (spp < 1 || spp > 5) throw badImage(`TIFF with ${spp} samples per pixel is not supported`);
  const planar = (t.get(284)?.[0] ?? 1) === 2;
  if (planar && bps < 8) throw badImage('Planar TIFF with fewer than 8 bits per sample is not supported');
  const need: Record<number, number> = { 0: 1, 1: 1, 2: 3, 3: 1, 5: 4 };
  if (need[photometric] === undefined) throw badImage(`TIFF photometric interpretation ${photometric} is not supported`);
  if (spp < need[photometric]) throw badImage('The TIFF samples per pixel do not match its colour model');
  if (bps < 8 && spp !== 1) throw badImage('TIFF with packed multi-sample pixels is not supported');
  if (CCITT_SCHEMES[compression] && (bps !== 1 || spp !== 1)) throw badImage('CCITT-compressed TIFF must have one bit per pixel');
  let colormap: number[] | undefined;
  if (photometric === 3) {
    colormap = t.get(320);
    if (bps > 8 || !colormap || colormap.length < 3 << bps) throw badImage('The TIFF palette is missing or short');
  }
  return { w: ifd.width, h: ifd.height, bps, spp, photometric, compression, extra: t.get(338)?.[0] ?? 0, colormap, planar };
}

/** inflateBounded inflates one Deflate strip, refusing output beyond the size the header implies. */
function inflateBounded(src: Uint8Array, expected: number): Uint8Array {
  try {
    return inflateSync(src, { maxOutputLength: expected + 65536, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw badImage('A TIFF strip inflates beyond the image size');
    throw badImage('A TIFF strip is not valid Deflate data');
  }
}

/** decompress runs UTIF's decompressor (and predictor) for one strip or tile into tgt at toff. */
function decompress(ctx: StripContext, off: number, len: number, tgt: Uint8Array, toff: number, w: number, h: number, expected: number): void {
  const { img, data, cmpr, fo } = ctx;
  if (off >= data.length || len <= 0) return;
  len = Math.min(len, data.length - off);
  if (cmpr === 1) len = Math.min(len, expected);
  // Strips are disjoint parts of the file, so together they cannot exceed it; overlapping
  // strips (every one pointing at the whole file) would multiply the work.
  ctx.consumed += len;
  if (ctx.consumed > data.length) throw badImage('The TIFF strips overlap');
  const scheme = CCITT_SCHEMES[cmpr];
  if (scheme) {
    // Our own CCITT decoder: utif2's costs the square of the strip length on corrupt data.
    const rowBytes = (w + 7) >> 3;
    const rows = Math.min(h, Math.floor((tgt.length - toff) / rowBytes));
    if (rows <= 0) return;
    const { data: out } = decodeCcitt(data.subarray(off, off + len), {
      scheme, width: w, height: rows, fillOrder: fo, options: ctx.ccittOptions, whiteIsOne: ctx.photometric !== 0,
    });
    tgt.set(out, toff);
  } else if (cmpr === 8 || cmpr === 32946 || cmpr === 5) {
    // Deflate and LZW are decoded here, bounded; UTIF then applies only the predictor (as "uncompressed").
    const src = data.subarray(off, off + len);
    const raw = cmpr === 5 ? lzwDecode(src, expected) : inflateBounded(src, expected);
    utif.decode._decompress(img, [img], raw, 0, Math.min(raw.length, expected), 1, tgt, toff, fo, w, h);
  } else {
    utif.decode._decompress(img, [img], data, off, len, cmpr, tgt, toff, fo, w, h);
  }
}

/** StripContext is what every strip or tile of one image shares. */
interface StripContext {
  /** The IFD in UTIF's shape ("t256": [...]), as its decompressors read it. */
  img: Record<string, unknown>;
  data: Uint8Array;
  cmpr: number;
  fo: number;
  /** Input bytes handed to decompressors so far. */
  consumed: number;
  /** PhotometricInterpretation: CCITT output is inverted unless it is 0 (WhiteIsZero), as in Go. */
  photometric: number;
  /** T4Options (tag 292) or T6Options (tag 293), for CCITT compression. */
  ccittOptions: number;
}

/** decodeTiff decodes the first page of a TIFF into RGBA; the caller has checked the pixel budget. */
export function decodeTiff(input: Uint8Array): { bitmap: Bitmap; hasAlpha: boolean } {
  const { raw, rowBytes, L } = readSamples(input);
  const rgba = toRGBA(raw, rowBytes, L);
  return { bitmap: { width: L.w, height: L.h, data: rgba }, hasAlpha: hasTransparency(rgba) };
}

/** readSamples decompresses the first page into chunky rows of samples (16-bit ones little-endian). */
function readSamples(input: Uint8Array): { raw: Uint8Array; rowBytes: number; L: Layout } {
  const ifd = readTiffIfd0(input);
  const L = layoutOf(ifd);
  // UTIF's decompressors index data.buffer directly, so give them a buffer of their own.
  const data = new Uint8Array(input);
  const t = ifd.tags;
  const img: Record<string, unknown> = { isLE: ifd.le };
  for (const [k, v] of t) img[`t${k}`] = v;
  const ctx: StripContext = { img, data, cmpr: L.compression, fo: t.get(266)?.[0] ?? 1, consumed: 0,
    photometric: L.photometric, ccittOptions: t.get(L.compression === 4 ? 293 : 292)?.[0] ?? 0 };
  const rowBytes = Math.ceil((L.w * L.bps * L.spp) / 8);
  if (L.planar && L.spp > 1) {
    // Each sample has its own strips or tiles (and its own predictor run): decode the planes
    // one after the other, then interleave them into the chunky layout toRGBA reads.
    const planeCtx: StripContext = { ...ctx, img: { ...img, t277: [1], t258: [L.bps] } };
    const planes = Array.from({ length: L.spp }, (_, p) => readPlane(planeCtx, t, L, L.bps, p));
    return { raw: interleave(planes, L), rowBytes, L };
  }
  return { raw: readPlane(ctx, t, L, L.bps * L.spp, 0), rowBytes, L };
}

/**
 * decodeTiff16 decodes a 16-bit gray or RGB first page (alpha kept when straight) to RGBA16
 * samples, for a colour conversion that must see all 16 bits (lib/color); undefined for any
 * other layout.
 */
export function decodeTiff16(input: Uint8Array): { width: number; height: number; data: Uint16Array } | undefined {
  const ifd = readTiffIfd0(input);
  const bps = ifd.tags.get(258)?.[0], ph = ifd.tags.get(262)?.[0];
  if (bps !== 16 || (ph !== 1 && ph !== 2)) return undefined;
  const { raw, rowBytes, L } = readSamples(input);
  const colour = ph === 2 ? 3 : 1, alpha = L.spp > colour && L.extra === 2;
  const out = new Uint16Array(L.w * L.h * 4);
  for (let y = 0; y < L.h; y++) {
    for (let x = 0; x < L.w; x++) {
      const s = y * rowBytes + x * L.spp * 2, o = (y * L.w + x) * 4;
      const v = (c: number): number => raw[s + 2 * c] | (raw[s + 2 * c + 1] << 8);
      out[o] = v(0); out[o + 1] = v(colour === 3 ? 1 : 0); out[o + 2] = v(colour === 3 ? 2 : 0);
      out[o + 3] = alpha ? v(colour) : 65535;
    }
  }
  return { width: L.w, height: L.h, data: out };
}

/**
 * decodeTiffCmyk decodes an 8- or 16-bit CMYK first page (PhotometricInterpretation 5, InkSet
 * CMYK) to interleaved CMYK8 ink (255 = full ink) for a profile conversion (lib/color), with its
 * straight alpha (255 where there is none); undefined for any other layout, which then takes the
 * ordinary decode's naive conversion.
 */
export function decodeTiffCmyk(input: Uint8Array): { width: number; height: number; ink: Uint8Array; alpha: Uint8Array } | undefined {
  const ifd = readTiffIfd0(input);
  const bps = ifd.tags.get(258)?.[0], ph = ifd.tags.get(262)?.[0], inkSet = ifd.tags.get(332)?.[0] ?? 1;
  if ((bps !== 8 && bps !== 16) || ph !== 5 || inkSet !== 1) return undefined;
  const { raw, rowBytes, L } = readSamples(input);
  if (L.spp < 4) return undefined;
  const alphaAt = L.spp > 4 && L.extra === 2 ? 4 : -1, step = bps / 8, hi = step - 1;
  const ink = new Uint8Array(L.w * L.h * 4), alpha = new Uint8Array(L.w * L.h).fill(255);
  for (let y = 0; y < L.h; y++) {
    for (let x = 0; x < L.w; x++) {
      // 16-bit samples are little-endian here already: the high byte is the second.
      const s = y * rowBytes + x * L.spp * step + hi, o = y * L.w + x;
      for (let c = 0; c < 4; c++) ink[4 * o + c] = raw[s + c * step];
      if (alphaAt >= 0) alpha[o] = raw[s + alphaAt * step];
    }
  }
  return { width: L.w, height: L.h, ink, alpha };
}

/**
 * readPlane decodes the strips or tiles of sample plane `plane` (the only one of a chunky
 * image), each pixel `bipp` bits, into rows of ceil(w * bipp / 8) bytes.
 */
function readPlane(ctx: StripContext, t: Map<number, number[]>, L: Layout, bipp: number, plane: number): Uint8Array {
  const rowBytes = Math.ceil((L.w * bipp) / 8);
  const raw = new Uint8Array(rowBytes * L.h);
  if (t.has(322)) {
    const tw = t.get(322)?.[0] ?? 0, th = t.get(323)?.[0] ?? 0;
    const offs = t.get(324) ?? t.get(273) ?? [], cnts = t.get(325) ?? t.get(279) ?? [];
    const tileRow = Math.ceil((tw * bipp) / 8);
    // TIFF requires tiles of at least 16x16; tiny tiles would only multiply per-tile overhead.
    if (tw < 16 || th < 16 || tileRow * th > MAX_TIFF_TILE_BYTES) throw badImage('The TIFF tile size is not valid');
    const tx = Math.ceil(L.w / tw), ty = Math.ceil(L.h / th);
    const base = plane * tx * ty;
    const tile = new Uint8Array(tileRow * th);
    for (let y = 0; y < ty; y++) {
      for (let x = 0; x < tx; x++) {
        const i = base + y * tx + x;
        if (i >= offs.length || i >= cnts.length) break;
        tile.fill(0);
        decompress(ctx, offs[i], cnts[i], tile, 0, tw, th, tile.length);
        utif._copyTile(tile, tileRow, th, raw, rowBytes, L.h, Math.ceil((x * tw * bipp) / 8), y * th);
      }
    }
    return raw;
  }
  const offs = t.get(273);
  if (!offs) throw badImage('The TIFF file has no strips');
  let cnts = t.get(279) ?? [];
  if (ctx.cmpr === 1 && offs.length === 1) cnts = [raw.length];
  let rps = t.get(278)?.[0] ?? L.h;
  if (rps <= 0 || rps > L.h) rps = L.h;
  const stripBytes = rowBytes * rps;
  const base = plane * Math.ceil(L.h / rps);
  for (let i = 0; base + i < offs.length && base + i < cnts.length; i++) {
    const toff = i * stripBytes;
    if (toff >= raw.length) break;
    decompress(ctx, offs[base + i], cnts[base + i], raw, toff, L.w, rps, stripBytes);
  }
  return raw;
}

/** interleave merges one plane per sample (8 or 16 bits each) into chunky pixels. */
function interleave(planes: Uint8Array[], L: Layout): Uint8Array {
  const bytes = L.bps >> 3, n = planes.length, pixels = L.w * L.h;
  const out = new Uint8Array(pixels * n * bytes);
  for (let p = 0; p < n; p++) {
    const src = planes[p];
    for (let i = 0; i < pixels; i++) {
      for (let b = 0; b < bytes; b++) out[(i * n + p) * bytes + b] = src[i * bytes + b];
    }
  }
  return out;
}

/** toRGBA converts decompressed samples (16-bit already little-endian) to 8-bit straight RGBA. */
function toRGBA(raw: Uint8Array, rowBytes: number, L: Layout): Uint8Array {
  const { w, h, bps, spp, photometric } = L;
  const out = new Uint8Array(w * h * 4);
  const mask = (1 << Math.min(bps, 8)) - 1;
  const sample = (row: number, x: number, c: number): number => {
    if (bps === 8) return raw[row + x * spp + c];
    if (bps === 16) return raw[row + (x * spp + c) * 2 + 1];
    const bit = x * bps;
    const v = (raw[row + (bit >> 3)] >> (8 - bps - (bit & 7))) & mask;
    return Math.round((v * 255) / mask);
  };
  const index = (row: number, x: number): number => {
    if (bps === 8) return raw[row + x * spp];
    const bit = x * bps;
    return (raw[row + (bit >> 3)] >> (8 - bps - (bit & 7))) & mask;
  };
  const colorSamples = photometric === 2 ? 3 : photometric === 5 ? 4 : 1;
  // ExtraSamples 1 is premultiplied alpha, 2 straight alpha; anything else is not alpha (as in Go).
  const alphaAt = spp > colorSamples && (L.extra === 1 || L.extra === 2) ? colorSamples : -1;
  const n = L.colormap ? 1 << bps : 0;
  for (let y = 0; y < h; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      let r: number, g: number, b: number;
      switch (photometric) {
        case 0: r = g = b = 255 - sample(row, x, 0); break;
        case 1: r = g = b = sample(row, x, 0); break;
        case 3: {
          const i = index(row, x), m = L.colormap as number[];
          r = m[i] >> 8; g = m[n + i] >> 8; b = m[2 * n + i] >> 8;
          break;
        }
        case 5: {
          const k = 255 - sample(row, x, 3);
          r = Math.round(((255 - sample(row, x, 0)) * k) / 255);
          g = Math.round(((255 - sample(row, x, 1)) * k) / 255);
          b = Math.round(((255 - sample(row, x, 2)) * k) / 255);
          break;
        }
        default: r = sample(row, x, 0); g = sample(row, x, 1); b = sample(row, x, 2);
      }
      let a = alphaAt >= 0 ? sample(row, x, alphaAt) : 255;
      if (L.extra === 1 && alphaAt >= 0 && a > 0 && a < 255) {
        r = Math.min(255, Math.round((r * 255) / a));
        g = Math.min(255, Math.round((g * 255) / a));
        b = Math.min(255, Math.round((b * 255) / a));
      } else if (alphaAt >= 0 && a === 0 && L.extra === 1) {
        r = g = b = 0;
      }
      out[o] = r; out[o + 1] = g; out[o + 2] = b; out[o + 3] = a;
    }
  }
  return out;
}

/** encodeTiff writes an uncompressed RGBA TIFF with straight (unassociated) alpha. */
export function encodeTiff(bitmap: Bitmap): Uint8Array {
  try {
    return new Uint8Array(utif.encodeImage(bitmap.data, bitmap.width, bitmap.height, { t338: [2] }));
  } catch {
    throw badImage('The image could not be encoded as TIFF');
  }
}
