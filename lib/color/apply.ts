/**
 * The per-pixel loops of the colour step: RGBA8 and RGBA16 pixels, interleaved CMYK8 and
 * float RGB samples (the YCbCr path) through a Converter, with the tables that make them cheap
 * built once per converter and kept with it.
 */
import { sampleGrid, type Converter, type Grid } from './convert.js';
import { OETF_8, OETF_BITS, OETF_F, oetfIndex } from './pcs.js';

/** Tables are what a converter's loops read: linear-light tables (matrix) or a sampled grid (LUT). */
interface Tables {
  /** Per channel: 8-bit code to linear light. */
  lin8?: Float32Array[];
  /** Per channel: 1/16 steps of 0..255 to linear light (the YCbCr path and 16-bit samples). */
  lin16th?: Float64Array[];
  grid?: Grid;
}

const TABLES = new WeakMap<Converter, Tables>();

/** LIN_FINE_STEPS is the resolution of the fine linear tables: 1/16 of an 8-bit step, as YccPlanes carry. */
const LIN_FINE_STEPS = 255 * 16;

/** tablesOf returns (building once) the tables of converter c. */
function tablesOf(c: Converter): Tables {
  let t = TABLES.get(c);
  if (t) return t;
  if (c.matrix) {
    const curves = c.matrix.curves;
    t = {
      lin8: curves.map((f) => Float32Array.from({ length: 256 }, (_, i) => f(i / 255))),
      lin16th: curves.map((f) => Float64Array.from({ length: LIN_FINE_STEPS + 1 }, (_, i) => f(i / LIN_FINE_STEPS))),
    };
  } else {
    t = { grid: sampleGrid(c) };
  }
  TABLES.set(c, t);
  return t;
}

/** fineTables are a matrix converter's per-channel tables from 1/16 steps of 0..255 to linear light. */
export function fineTables(c: Converter): Float64Array[] {
  return tablesOf(c).lin16th as Float64Array[];
}

/** byte clamps and rounds a 0..255 float to a byte. */
function byte(v: number): number {
  return v > 0 ? (v < 255 ? (v + 0.5) | 0 : 255) : 0;
}

/** oetfFine is the sRGB encoding (0..255 float) of a linear value, interpolated in the 12-bit table. */
function oetfFine(v: number): number {
  const last = (1 << OETF_BITS) - 1;
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  const pos = v * last, i = pos | 0, f = pos - i;
  return OETF_F[i] + (OETF_F[Math.min(last, i + 1)] - OETF_F[i]) * f;
}

/**
 * trilinear interpolates a 3-input grid at normalised (x, y, z), writing three outputs to out.
 */
function trilinear(g: Grid, x: number, y: number, z: number, out: Float64Array): void {
  const n = g.points - 1, d = g.data;
  const fx = x * n, fy = y * n, fz = z * n;
  const ix = Math.min(n - 1, fx | 0), iy = Math.min(n - 1, fy | 0), iz = Math.min(n - 1, fz | 0);
  const tx = fx - ix, ty = fy - iy, tz = fz - iz;
  const sy = g.points * 3, sx = g.points * sy;
  const base = ix * sx + iy * sy + iz * 3;
  for (let o = 0; o < 3; o++) {
    const p = base + o;
    const c00 = d[p] + (d[p + 3] - d[p]) * tz, c01 = d[p + sy] + (d[p + sy + 3] - d[p + sy]) * tz;
    const c10 = d[p + sx] + (d[p + sx + 3] - d[p + sx]) * tz;
    const c11 = d[p + sx + sy] + (d[p + sx + sy + 3] - d[p + sx + sy]) * tz;
    const c0 = c00 + (c01 - c00) * ty, c1 = c10 + (c11 - c10) * ty;
    out[o] = c0 + (c1 - c0) * tx;
  }
}

/** convertRgba8 converts RGBA8 pixels in place (a gray converter reads the red channel). */
export function convertRgba8(c: Converter, data: Uint8Array): void {
  const t = tablesOf(c);
  if (c.channels === 1) {
    const lut = new Uint8Array(256);
    const out = new Float64Array(3);
    for (let i = 0; i < 256; i++) { c.evaluate([i / 255], out); lut[i] = byte(out[0]); }
    for (let i = 0; i < data.length; i += 4) data[i] = data[i + 1] = data[i + 2] = lut[data[i]];
    return;
  }
  if (t.lin8 && c.matrix) {
    const [lr, lg, lb] = t.lin8, m = c.matrix.m;
    for (let i = 0; i < data.length; i += 4) {
      const r = lr[data[i]], g = lg[data[i + 1]], b = lb[data[i + 2]];
      data[i] = OETF_8[oetfIndex(m[0] * r + m[1] * g + m[2] * b)];
      data[i + 1] = OETF_8[oetfIndex(m[3] * r + m[4] * g + m[5] * b)];
      data[i + 2] = OETF_8[oetfIndex(m[6] * r + m[7] * g + m[8] * b)];
    }
    return;
  }
  const g = t.grid as Grid, out = new Float64Array(3);
  for (let i = 0; i < data.length; i += 4) {
    trilinear(g, data[i] / 255, data[i + 1] / 255, data[i + 2] / 255, out);
    data[i] = byte(out[0]); data[i + 1] = byte(out[1]); data[i + 2] = byte(out[2]);
  }
}

/** convertRgba16 converts RGBA16 samples (gray in the red channel for a gray converter) to RGBA8. */
export function convertRgba16(c: Converter, src: Uint16Array, dst: Uint8Array): void {
  const f = rgbFloat(c), out = new Float64Array(3), k = 255 / 65535;
  for (let i = 0; i < src.length; i += 4) {
    f(src[i] * k, src[i + 1] * k, src[i + 2] * k, out);
    dst[i] = byte(out[0]); dst[i + 1] = byte(out[1]); dst[i + 2] = byte(out[2]);
    dst[i + 3] = (src[i + 3] + 128) / 257;
  }
}

/**
 * rgbFloat returns a function converting one pixel given as floats on 0..255 (the red channel
 * alone for gray) to sRGB floats on 0..255.
 */
export function rgbFloat(c: Converter): (r: number, g: number, b: number, out: Float64Array) => void {
  const t = tablesOf(c);
  if (t.lin16th && c.matrix) {
    const [lr, lg = lr, lb = lr] = t.lin16th, m = c.matrix.m, gray = c.channels === 1;
    const at = (l: Float64Array, v: number): number => {
      const pos = v > 0 ? (v < 255 ? v * 16 : LIN_FINE_STEPS) : 0;
      const i = Math.min(LIN_FINE_STEPS - 1, pos | 0);
      return l[i] + (l[i + 1] - l[i]) * (pos - i);
    };
    if (gray) return (r, _g, _b, out) => { out[0] = out[1] = out[2] = oetfFine(at(lr, r)); };
    return (r, g, b, out) => {
      const R = at(lr, r), G = at(lg, g), B = at(lb, b);
      out[0] = oetfFine(m[0] * R + m[1] * G + m[2] * B);
      out[1] = oetfFine(m[3] * R + m[4] * G + m[5] * B);
      out[2] = oetfFine(m[6] * R + m[7] * G + m[8] * B);
    };
  }
  const g = t.grid as Grid;
  const unit = (v: number): number => (v > 0 ? (v < 255 ? v / 255 : 1) : 0);
  if (c.channels === 1) {
    return (r, _g, _b, out) => {
      const pos = unit(r) * (g.points - 1), i = Math.min(g.points - 2, pos | 0), f = pos - i;
      out[0] = out[1] = out[2] = g.data[3 * i] + (g.data[3 * i + 3] - g.data[3 * i]) * f;
    };
  }
  return (r, gg, b, out) => trilinear(g, unit(r), unit(gg), unit(b), out);
}

/**
 * convertCmyk8 converts interleaved CMYK8 samples (255 = full ink) to opaque RGBA8 in dst,
 * interpolating the converter's 4-D grid: trilinear in C, M, Y on the two K planes around k.
 */
export function convertCmyk8(c: Converter, cmyk: Uint8Array, dst: Uint8Array): void {
  const g = tablesOf(c).grid as Grid;
  const n = g.points - 1, sk = 3, sy = g.points * 3, sm = g.points * sy, sc = g.points * sm, d = g.data;
  const a = new Float64Array(3);
  for (let i = 0, o = 0; i < cmyk.length; i += 4, o += 4) {
    const fc = (cmyk[i] / 255) * n, fm = (cmyk[i + 1] / 255) * n, fy = (cmyk[i + 2] / 255) * n, fk = (cmyk[i + 3] / 255) * n;
    const ic = Math.min(n - 1, fc | 0), im = Math.min(n - 1, fm | 0), iy = Math.min(n - 1, fy | 0), ik = Math.min(n - 1, fk | 0);
    const tc = fc - ic, tm = fm - im, ty = fy - iy, tk = fk - ik;
    const base = ic * sc + im * sm + iy * sy + ik * sk;
    for (let ch = 0; ch < 3; ch++) {
      let acc = 0;
      for (let corner = 0; corner < 16; corner++) {
        const w = (corner & 8 ? tc : 1 - tc) * (corner & 4 ? tm : 1 - tm) * (corner & 2 ? ty : 1 - ty) * (corner & 1 ? tk : 1 - tk);
        if (w === 0) continue;
        acc += w * d[base + ch + (corner & 8 ? sc : 0) + (corner & 4 ? sm : 0) + (corner & 2 ? sy : 0) + (corner & 1 ? sk : 0)];
      }
      a[ch] = acc;
    }
    dst[o] = byte(a[0]); dst[o + 1] = byte(a[1]); dst[o + 2] = byte(a[2]); dst[o + 3] = 255;
  }
}
