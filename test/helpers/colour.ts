/**
 * Colour test helpers, written apart from lib/color so that they check it rather than repeat
 * it: the patch fixtures, reference colour-space math from published primaries and transfer
 * functions (not from the profiles under test), CIEDE2000, a minimal PNG writer (8/16-bit,
 * with any chunks) and JPEG APP2 splicing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { FIXTURES } from './paths.js';

/** Patches is fixtures/colour/patches.json: sRGB patches and their grid. */
export interface Patches {
  patchSize: number;
  perRow: number;
  patches: number[][];
}

/** patches reads fixtures/colour/patches.json. */
export function patches(): Patches {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'colour', 'patches.json'), 'utf8')) as Patches;
}

/** colourFixture reads a file under fixtures/colour. */
export function colourFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, 'colour', name)));
}

type V3 = [number, number, number];
type M3 = number[][];

function mv(m: M3, v: V3): V3 {
  return [0, 1, 2].map((i) => m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]) as V3;
}

function mm(a: M3, b: M3): M3 {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j]));
}

/** inv3 inverts a 3x3 matrix by cofactors. */
function inv3(m: M3): M3 {
  const c = (i: number, j: number): number => {
    const r = [0, 1, 2].filter((k) => k !== i), s = [0, 1, 2].filter((k) => k !== j);
    return ((i + j) % 2 ? -1 : 1) * (m[r[0]][s[0]] * m[r[1]][s[1]] - m[r[0]][s[1]] * m[r[1]][s[0]]);
  };
  const det = m[0][0] * c(0, 0) + m[0][1] * c(0, 1) + m[0][2] * c(0, 2);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => c(j, i) / det));
}

const xyz = (x: number, y: number): V3 => [x / y, 1, (1 - x - y) / y];

/** rgbToXyz is the RGB-to-XYZ matrix of primaries and white given as chromaticities. */
function rgbToXyz(prim: number[][], white: number[]): M3 {
  const P: M3 = [0, 1, 2].map((r) => prim.map((p) => xyz(p[0], p[1])[r]));
  const S = mv(inv3(P), xyz(white[0], white[1]));
  return P.map((row) => row.map((v, j) => v * S[j]));
}

/** bradford adapts XYZ from white w1 to white w2 (chromaticities). */
function bradford(w1: number[], w2: number[]): M3 {
  const B: M3 = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]];
  const a = mv(B, xyz(w1[0], w1[1])), b = mv(B, xyz(w2[0], w2[1]));
  return mm(inv3(B), mm([[b[0] / a[0], 0, 0], [0, b[1] / a[1], 0], [0, 0, b[2] / a[2]]], B));
}

/** Space is an RGB colour space by its published definition. */
export interface Space {
  primaries: number[][];
  white: number[];
  /** Encoded (0..1) to linear. */
  decode(v: number): number;
  /** Linear to encoded (0..1). */
  encode(v: number): number;
}

const D65 = [0.3127, 0.329];
const D50 = [0.3457, 0.3585];
const srgbDecode = (v: number): number => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const srgbEncode = (v: number): number => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
const gamma = (g: number): Pick<Space, 'decode' | 'encode'> => ({ decode: (v) => v ** g, encode: (v) => Math.max(0, v) ** (1 / g) });

/** SPACES are the reference definitions of the spaces the fixtures use. */
export const SPACES = {
  srgb: { primaries: [[0.64, 0.33], [0.3, 0.6], [0.15, 0.06]], white: D65, decode: srgbDecode, encode: srgbEncode },
  p3: { primaries: [[0.68, 0.32], [0.265, 0.69], [0.15, 0.06]], white: D65, decode: srgbDecode, encode: srgbEncode },
  adobe: { primaries: [[0.64, 0.33], [0.21, 0.71], [0.15, 0.06]], white: D65, ...gamma(563 / 256) },
  prophoto: { primaries: [[0.7347, 0.2653], [0.1596, 0.8404], [0.0366, 0.0001]], white: D50, ...gamma(1.8) },
  rec2020: {
    primaries: [[0.708, 0.292], [0.17, 0.797], [0.131, 0.046]], white: D65,
    decode: (v: number) => (v < 0.081 ? v / 4.5 : ((v + 0.099) / 1.099) ** (1 / 0.45)),
    encode: (v: number) => (v < 0.018 ? 4.5 * v : 1.099 * v ** 0.45 - 0.099),
  },
} satisfies Record<string, Space>;

/** fromSrgb converts an 8-bit sRGB colour to encoded values (0..1) of space s. */
export function fromSrgb(rgb: number[], s: Space): V3 {
  const lin = rgb.map((v) => srgbDecode(v / 255)) as V3;
  const toXyz = rgbToXyz(SPACES.srgb.primaries, D65);
  const fromXyz = inv3(rgbToXyz(s.primaries, s.white));
  const m = mm(fromXyz, mm(bradford(D65, s.white), toXyz));
  return mv(m, lin).map((v) => s.encode(Math.min(1, Math.max(0, v)))) as V3;
}

/** lightnessToY is CIE L* to relative luminance Y (the gray Lab profile's reference). */
export function lightnessToY(L: number): number {
  const f = (L + 16) / 116;
  return f > 6 / 29 ? f ** 3 : 3 * (6 / 29) ** 2 * (f - 4 / 29);
}

/** srgbEncode8 is a linear value encoded as 8-bit sRGB (unrounded). */
export function srgbEncode8(lin: number): number {
  return 255 * srgbEncode(Math.min(1, Math.max(0, lin)));
}

/** srgbDecode01 is the sRGB decoding function on 0..1. */
export const srgbDecode01 = srgbDecode;

/** lab converts 8-bit sRGB to CIELAB (D65 white). */
export function lab(rgb: number[]): V3 {
  const [X, Y, Z] = mv(rgbToXyz(SPACES.srgb.primaries, D65), rgb.map((v) => srgbDecode(v / 255)) as V3);
  const w = xyz(D65[0], D65[1]);
  const f = (t: number): number => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const fx = f(X / w[0]), fy = f(Y / w[1]), fz = f(Z / w[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** ciede2000 is the CIEDE2000 colour difference of two CIELAB colours (Sharma, Wu, Dalal 2005). */
export function ciede2000(a: V3, b: V3): number {
  const [L1, a1, b1] = a, [L2, a2, b2] = b;
  const rad = Math.PI / 180;
  const C1 = Math.hypot(a1, b1), C2 = Math.hypot(a2, b2), Cm = (C1 + C2) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cm ** 7 / (Cm ** 7 + 25 ** 7)));
  const ap1 = (1 + G) * a1, ap2 = (1 + G) * a2;
  const Cp1 = Math.hypot(ap1, b1), Cp2 = Math.hypot(ap2, b2);
  const hue = (x: number, y: number): number => (x === 0 && y === 0 ? 0 : (Math.atan2(y, x) / rad + 360) % 360);
  const hp1 = hue(ap1, b1), hp2 = hue(ap2, b2);
  const dL = L2 - L1, dC = Cp2 - Cp1;
  let dh = 0;
  if (Cp1 * Cp2 !== 0) dh = Math.abs(hp2 - hp1) <= 180 ? hp2 - hp1 : hp2 - hp1 > 180 ? hp2 - hp1 - 360 : hp2 - hp1 + 360;
  const dH = 2 * Math.sqrt(Cp1 * Cp2) * Math.sin((dh / 2) * rad);
  const Lm = (L1 + L2) / 2, Cpm = (Cp1 + Cp2) / 2;
  let hm = hp1 + hp2;
  if (Cp1 * Cp2 !== 0) hm = Math.abs(hp1 - hp2) <= 180 ? hm / 2 : hm < 360 ? (hm + 360) / 2 : (hm - 360) / 2;
  const T = 1 - 0.17 * Math.cos((hm - 30) * rad) + 0.24 * Math.cos(2 * hm * rad) + 0.32 * Math.cos((3 * hm + 6) * rad) - 0.2 * Math.cos((4 * hm - 63) * rad);
  const dTheta = 30 * Math.exp(-(((hm - 275) / 25) ** 2));
  const RC = 2 * Math.sqrt(Cpm ** 7 / (Cpm ** 7 + 25 ** 7));
  const SL = 1 + (0.015 * (Lm - 50) ** 2) / Math.sqrt(20 + (Lm - 50) ** 2), SC = 1 + 0.045 * Cpm, SH = 1 + 0.015 * Cpm * T;
  const RT = -Math.sin(2 * dTheta * rad) * RC;
  return Math.sqrt((dL / SL) ** 2 + (dC / SC) ** 2 + (dH / SH) ** 2 + RT * (dC / SC) * (dH / SH));
}

/** patchImage lays out per-patch values (channels each, any scale) as a patch grid with `channels` samples per pixel. */
export function patchImage<T extends Uint8Array | Uint16Array>(p: Patches, values: number[][], channels: number, make: (n: number) => T): { width: number; height: number; data: T } {
  const rows = Math.ceil(values.length / p.perRow);
  const width = p.perRow * p.patchSize, height = rows * p.patchSize;
  const data = make(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[Math.floor(y / p.patchSize) * p.perRow + Math.floor(x / p.patchSize)] ?? values[0];
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = v[c] ?? 255;
    }
  }
  return { width, height, data };
}

/** patchMeans averages the middle half of each patch of an RGBA8 image of the patch grid's size (scaled). */
export function patchMeans(p: Patches, rgba: Uint8Array, width: number, height: number): number[][] {
  const sx = width / (p.perRow * p.patchSize), sy = height / (Math.ceil(p.patches.length / p.perRow) * p.patchSize);
  return p.patches.map((_, i) => {
    const x0 = ((i % p.perRow) * p.patchSize + p.patchSize / 4) * sx, y0 = (Math.floor(i / p.perRow) * p.patchSize + p.patchSize / 4) * sy;
    const sum = [0, 0, 0];
    let n = 0;
    for (let y = Math.round(y0); y < Math.round(y0 + (p.patchSize / 2) * sy); y++) {
      for (let x = Math.round(x0); x < Math.round(x0 + (p.patchSize / 2) * sx); x++) {
        for (let c = 0; c < 3; c++) sum[c] += rgba[(y * width + x) * 4 + c];
        n++;
      }
    }
    return sum.map((s) => s / n);
  });
}

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const v of b) {
    c ^= v;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** pngChunk builds one PNG chunk. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4), crc = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** iccpChunk is an iCCP chunk holding deflated profile bytes (or `raw` zlib data as given). */
export function iccpChunk(icc: Uint8Array, raw?: Uint8Array): Buffer {
  return pngChunk('iCCP', Buffer.concat([Buffer.from('test\0\0', 'latin1'), raw ?? deflateSync(icc)]));
}

/** writePng writes a PNG (colour type 0 gray or 2 RGB, 8 or 16 bits) with extra chunks before IDAT. */
export function writePng(img: { width: number; height: number; data: Uint8Array | Uint16Array }, colorType: 0 | 2, depth: 8 | 16, extra: Buffer[] = []): Uint8Array {
  const ch = colorType === 2 ? 3 : 1, bps = depth / 8, row = img.width * ch * bps;
  const raw = Buffer.alloc((row + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    for (let i = 0; i < img.width * ch; i++) {
      const v = img.data[y * img.width * ch + i], at = y * (row + 1) + 1 + i * bps;
      if (depth === 16) raw.writeUInt16BE(v, at); else raw[at] = v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0); ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = depth; ihdr[9] = colorType;
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([sig, pngChunk('IHDR', ihdr), ...extra, pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]);
}

/** withApp2 inserts an ICC profile into a JPEG as APP2 segments right after SOI, split into `segments` parts. */
export function withApp2(jpeg: Uint8Array, icc: Uint8Array, segments = 1): Uint8Array {
  const size = Math.ceil(icc.length / segments), parts: Buffer[] = [];
  for (let i = 0; i < segments; i++) {
    const part = icc.subarray(i * size, (i + 1) * size);
    const head = Buffer.alloc(18);
    head[0] = 0xff; head[1] = 0xe2; head.writeUInt16BE(16 + part.length, 2);
    head.write('ICC_PROFILE\0', 4, 'latin1');
    head[16] = i + 1; head[17] = segments;
    parts.push(head, Buffer.from(part));
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...parts, jpeg.subarray(2)]);
}

/** app2Profile reassembles the ICC profile of a JPEG's APP2 segments (undefined when there is none). */
export function app2Profile(jpeg: Uint8Array): Uint8Array | undefined {
  const parts: Buffer[] = [];
  for (let p = 2; p + 4 < jpeg.length && jpeg[p] === 0xff && jpeg[p + 1] !== 0xda;) {
    const len = (jpeg[p + 2] << 8) | jpeg[p + 3];
    if (jpeg[p + 1] === 0xe2 && Buffer.from(jpeg.subarray(p + 4, p + 16)).toString('latin1') === 'ICC_PROFILE\0') {
      parts[jpeg[p + 16] - 1] = Buffer.from(jpeg.subarray(p + 18, p + 2 + len));
    }
    p += 2 + len;
  }
  return parts.length ? Buffer.concat(parts) : undefined;
}

/** riffChunk builds one RIFF chunk, padded to an even size. */
function riffChunk(id: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, Buffer.from(data), Buffer.alloc(data.length & 1)]);
}

/** withIccp rewrites a simple (VP8/VP8L) WebP as an extended one carrying icc in an ICCP chunk. */
export function withIccp(webp: Uint8Array, icc: Uint8Array, width: number, height: number): Uint8Array {
  const x = Buffer.alloc(10);
  x[0] = 0x20;
  x.writeUIntLE(width - 1, 4, 3);
  x.writeUIntLE(height - 1, 7, 3);
  const body = Buffer.concat([Buffer.from('WEBP'), riffChunk('VP8X', x), riffChunk('ICCP', icc), Buffer.from(webp.subarray(12))]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/**
 * writeTiff writes an uncompressed little-endian RGB TIFF (8 or 16 bits), or a CMYK one when
 * samples is 4 (PhotometricInterpretation 5, 0 = no ink), with icc in tag 34675 when given.
 */
export function writeTiff(img: { width: number; height: number; data: Uint8Array | Uint16Array }, depth: 8 | 16, icc?: Uint8Array, samples: 3 | 4 = 3): Uint8Array {
  const bps = depth / 8, pixels = Buffer.alloc(img.width * img.height * samples * bps);
  img.data.forEach((v, i) => { if (depth === 16) pixels.writeUInt16LE(v, 2 * i); else pixels[i] = v; });
  // Entries: [tag, type, count, value-or-offset]; type 3 SHORT, 4 LONG, 7 UNDEFINED.
  const n = icc ? 10 : 9, ifd = 8, after = ifd + 2 + n * 12 + 4;
  const bpsAt = after, iccAt = bpsAt + 2 * samples, pixAt = iccAt + (icc ? icc.length + (icc.length & 1) : 0);
  const entries: number[][] = [
    [256, 4, 1, img.width], [257, 4, 1, img.height], [258, 3, samples, bpsAt], [259, 3, 1, 1], [262, 3, 1, samples === 4 ? 5 : 2],
    [273, 4, 1, pixAt], [277, 3, 1, samples], [278, 4, 1, img.height], [279, 4, 1, pixels.length],
  ];
  if (icc) entries.push([34675, 7, icc.length, iccAt]);
  const head = Buffer.alloc(pixAt);
  head.write('II', 0, 'latin1'); head.writeUInt16LE(42, 2); head.writeUInt32LE(ifd, 4);
  head.writeUInt16LE(n, ifd);
  entries.forEach(([tag, type, count, v], i) => {
    const e = ifd + 2 + 12 * i;
    head.writeUInt16LE(tag, e); head.writeUInt16LE(type, e + 2); head.writeUInt32LE(count, e + 4);
    if (type === 3 && count === 1) head.writeUInt16LE(v, e + 8); else head.writeUInt32LE(v, e + 8);
  });
  for (let i = 0; i < samples; i++) head.writeUInt16LE(depth, bpsAt + 2 * i);
  if (icc) head.set(icc, iccAt);
  return Buffer.concat([head, pixels]);
}
