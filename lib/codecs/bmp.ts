/**
 * BMP codec: a small own decoder and encoder, so every header field from a hostile file is
 * checked against the file's real length before use.
 */
import { badImage, hasTransparency, type Bitmap } from './types.js';

/** BmpHeader is the part of a BMP header that decoding needs. */
export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bpp: number;
  compression: number;
  dataOffset: number;
  headerSize: number;
  paletteOffset: number;
  paletteEntrySize: number;
  paletteCount: number;
  masks: [number, number, number, number];
}

const BI_RGB = 0, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6;

/** readBmpHeader parses and checks a BMP file header and DIB header. */
export function readBmpHeader(b: Uint8Array): BmpHeader {
  if (b.length < 26) throw badImage('The BMP file is truncated');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  let width: number, height: number, bpp: number, compression = BI_RGB, colorsUsed = 0;
  let masks: [number, number, number, number] = [0, 0, 0, 0];
  if (headerSize === 12) {
    width = dv.getUint16(18, true); height = dv.getInt16(20, true); bpp = dv.getUint16(24, true);
  } else if (headerSize >= 40 && headerSize <= 256) {
    if (b.length < 14 + 40) throw badImage('The BMP file is truncated');
    width = dv.getInt32(18, true); height = dv.getInt32(22, true); bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true); colorsUsed = dv.getUint32(46, true);
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      const n = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
      if (b.length < 54 + 4 * n) throw badImage('The BMP file is truncated');
      masks = [dv.getUint32(54, true), dv.getUint32(58, true), dv.getUint32(62, true), n === 4 ? dv.getUint32(66, true) : 0];
    }
  } else {
    throw badImage(`BMP header size ${headerSize} is not supported`);
  }
  if (width <= 0 || height === 0 || height === -2147483648) throw badImage('The BMP image has no size');
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw badImage(`BMP with ${bpp} bits per pixel is not supported`);
  if (compression !== BI_RGB && !((compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) && (bpp === 16 || bpp === 32))) {
    throw badImage(`BMP compression ${compression} is not supported`);
  }
  if (bpp === 16 && compression === BI_RGB) masks = [0x7c00, 0x03e0, 0x001f, 0];
  let paletteOffset = 14 + headerSize;
  if (headerSize === 40 && compression === BI_BITFIELDS) paletteOffset += 12;
  if (headerSize === 40 && compression === BI_ALPHABITFIELDS) paletteOffset += 16;
  const paletteEntrySize = headerSize === 12 ? 3 : 4;
  let paletteCount = 0;
  if (bpp <= 8) {
    paletteCount = colorsUsed > 0 && colorsUsed < 1 << bpp ? colorsUsed : 1 << bpp;
    // Some writers omit unused palette entries: trust the room before the pixel data.
    paletteCount = Math.min(paletteCount, Math.floor((dataOffset - paletteOffset) / paletteEntrySize));
    if (paletteCount <= 0) throw badImage('The BMP palette is missing');
  }
  return { width, height: Math.abs(height), topDown: height < 0, bpp, compression, dataOffset, headerSize, paletteOffset, paletteEntrySize, paletteCount, masks };
}

function maskReader(mask: number): (px: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (px) => Math.round((((px & mask) >>> shift) * 255) / max);
}

/** decodeBmp decodes an uncompressed or bitfields BMP (1/4/8/16/24/32-bit, either row order). */
export function decodeBmp(b: Uint8Array): { bitmap: Bitmap; hasAlpha: boolean } {
  const hd = readBmpHeader(b);
  const { width: w, height: h, bpp } = hd;
  const stride = Math.ceil((w * bpp) / 32) * 4;
  if (hd.dataOffset + stride * (h - 1) + Math.ceil((w * bpp) / 8) > b.length) throw badImage('The BMP pixel data is truncated');
  if (hd.paletteOffset + hd.paletteCount * hd.paletteEntrySize > b.length) throw badImage('The BMP palette is truncated');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Uint8Array(w * h * 4);
  const pal = (i: number, o: number): void => {
    if (i >= hd.paletteCount) { out[o + 3] = 255; return; } // out-of-range index: black
    const p = hd.paletteOffset + i * hd.paletteEntrySize;
    out[o] = b[p + 2]; out[o + 1] = b[p + 1]; out[o + 2] = b[p]; out[o + 3] = 255;
  };
  const [mr, mg, mb, ma] = hd.masks;
  const rr = maskReader(mr), rg = maskReader(mg), rb = maskReader(mb), ra = maskReader(ma);
  const bitfields = hd.compression !== BI_RGB || bpp === 16;
  for (let y = 0; y < h; y++) {
    const row = hd.dataOffset + (hd.topDown ? y : h - 1 - y) * stride;
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      switch (bpp) {
        case 1: pal((b[row + (x >> 3)] >> (7 - (x & 7))) & 1, o); break;
        case 4: pal((b[row + (x >> 1)] >> (x & 1 ? 0 : 4)) & 15, o); break;
        case 8: pal(b[row + x], o); break;
        case 24: out[o] = b[row + x * 3 + 2]; out[o + 1] = b[row + x * 3 + 1]; out[o + 2] = b[row + x * 3]; out[o + 3] = 255; break;
        default: {
          if (!bitfields) { // 32-bit BI_RGB: BGRX, the fourth byte is not alpha
            out[o] = b[row + x * 4 + 2]; out[o + 1] = b[row + x * 4 + 1]; out[o + 2] = b[row + x * 4]; out[o + 3] = 255;
            break;
          }
          const px = bpp === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
          out[o] = rr(px); out[o + 1] = rg(px); out[o + 2] = rb(px); out[o + 3] = ma ? ra(px) : 255;
        }
      }
    }
  }
  return { bitmap: { width: w, height: h, data: out }, hasAlpha: hasTransparency(out) };
}

/** encodeBmp writes a bottom-up BMP: 24-bit without alpha, 32-bit BITMAPV4HEADER bitfields with alpha. */
export function encodeBmp(bitmap: Bitmap, hasAlpha: boolean): Uint8Array {
  const { width: w, height: h, data } = bitmap;
  const bpp = hasAlpha ? 32 : 24;
  const headerSize = hasAlpha ? 108 : 40;
  const stride = Math.ceil((w * bpp) / 32) * 4;
  const offset = 14 + headerSize;
  const size = offset + stride * h;
  if (size > 0xffffffff) throw badImage('The image is too large for BMP');
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out[0] = 0x42; out[1] = 0x4d;
  dv.setUint32(2, size, true);
  dv.setUint32(10, offset, true);
  dv.setUint32(14, headerSize, true);
  dv.setInt32(18, w, true);
  dv.setInt32(22, h, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, bpp, true);
  dv.setUint32(30, hasAlpha ? BI_BITFIELDS : BI_RGB, true);
  dv.setUint32(34, stride * h, true);
  dv.setInt32(38, 2835, true); // 72 dpi
  dv.setInt32(42, 2835, true);
  if (hasAlpha) {
    dv.setUint32(54, 0x00ff0000, true);
    dv.setUint32(58, 0x0000ff00, true);
    dv.setUint32(62, 0x000000ff, true);
    dv.setUint32(66, 0xff000000, true);
    dv.setUint32(70, 0x73524742, true); // 'sRGB'
  }
  for (let y = 0; y < h; y++) {
    let p = offset + (h - 1 - y) * stride;
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      out[p++] = data[i + 2]; out[p++] = data[i + 1]; out[p++] = data[i];
      if (hasAlpha) out[p++] = data[i + 3];
    }
  }
  return out;
}
