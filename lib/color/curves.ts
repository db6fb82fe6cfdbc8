/**
 * ICC tone curves: curveType (`curv`: identity, gamma or a sampled table) and
 * parametricCurveType (`para`, functions 0..4), read with bounds checks and evaluated on [0, 1].
 */
import { IccError, s15f16, sig, u16, u32 } from './icc.js';

/** Curve maps a normalised input in [0, 1] to a normalised output in [0, 1]. */
export type Curve = (x: number) => number;

/** PARA_PARAMS is how many parameters each parametric function type takes. */
const PARA_PARAMS = [1, 3, 4, 5, 7];

/** clamp01 limits v to [0, 1] (NaN becomes 0). */
export function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

/** tableCurve interpolates a sampled curve of uint16 (or normalised float) entries. */
function tableCurve(t: Float64Array): Curve {
  const last = t.length - 1;
  return (x) => {
    const pos = clamp01(x) * last;
    const i = Math.min(last - 1, Math.floor(pos));
    if (i < 0) return t[0];
    const f = pos - i;
    return t[i] + (t[i + 1] - t[i]) * f;
  };
}

/** curveOfPower is the curve x^g on [0, 1]. */
export function curveOfPower(g: number): Curve {
  if (g === 1) return clamp01;
  return (x) => Math.pow(clamp01(x), g);
}

/** paraCurve builds parametric function type `type` from its parameters. */
function paraCurve(type: number, p: number[]): Curve {
  const [g, a = 1, b = 0, c = 0, d = 0, e = 0, f = 0] = p;
  const pw = (v: number): number => (v > 0 ? Math.pow(v, g) : 0);
  switch (type) {
    case 0: return curveOfPower(g);
    case 1: return (x) => clamp01(x >= -b / a ? pw(a * x + b) : 0);
    case 2: return (x) => clamp01(x >= -b / a ? pw(a * x + b) + c : c);
    case 3: return (x) => clamp01(x >= d ? pw(a * x + b) : c * x);
    default: return (x) => clamp01(x >= d ? pw(a * x + b) + e : c * x + f);
  }
}

/** ParsedCurve is a curve and the number of bytes its tag element occupies (before 4-byte padding). */
export interface ParsedCurve {
  curve: Curve;
  bytes: number;
}

/**
 * parseCurveAt reads a curv or para element at p inside b (ending no later than end); it throws
 * IccError when the element runs past end or names an unknown function.
 */
export function parseCurveAt(b: Uint8Array, p: number, end: number): ParsedCurve {
  if (p + 12 > end) throw new IccError('a colour profile curve is truncated');
  const type = sig(b, p);
  if (type === 'curv') {
    const n = u32(b, p + 8);
    if (n > (end - p - 12) / 2) throw new IccError('a colour profile curve is truncated');
    const bytes = 12 + 2 * n;
    if (n === 0) return { curve: clamp01, bytes };
    if (n === 1) return { curve: curveOfPower(u16(b, p + 12) / 256), bytes };
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) t[i] = u16(b, p + 12 + 2 * i) / 65535;
    return { curve: tableCurve(t), bytes };
  }
  if (type === 'para') {
    const fn = u16(b, p + 8);
    const count = PARA_PARAMS[fn];
    if (count === undefined) throw new IccError(`a colour profile uses parametric curve type ${fn}`);
    if (p + 12 + 4 * count > end) throw new IccError('a colour profile curve is truncated');
    const params = Array.from({ length: count }, (_, i) => s15f16(b, p + 12 + 4 * i));
    if (!params.every(Number.isFinite) || (fn >= 1 && fn <= 2 && params[1] === 0)) {
      throw new IccError('a colour profile curve has invalid parameters');
    }
    return { curve: paraCurve(fn, params), bytes: 12 + 4 * count };
  }
  throw new IccError(`a colour profile curve has type ${JSON.stringify(type)}`);
}

/** parseCurveTag reads a whole TRC tag (rTRC, kTRC...). */
export function parseCurveTag(d: Uint8Array): Curve {
  return parseCurveAt(d, 0, d.length).curve;
}

/**
 * parseCurveSequence reads n curves that follow each other from p, each padded to 4 bytes, as
 * lutAtoBType stores its A, M and B curves.
 */
export function parseCurveSequence(b: Uint8Array, p: number, end: number, n: number): Curve[] {
  const out: Curve[] = [];
  for (let i = 0; i < n; i++) {
    const c = parseCurveAt(b, p, end);
    out.push(c.curve);
    p += (c.bytes + 3) & ~3;
  }
  return out;
}

/** sampleTable16 builds a curve from n uint16 entries at p (the lut16Type input and output tables). */
export function sampleTable16(b: Uint8Array, p: number, n: number): Curve {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = u16(b, p + 2 * i) / 65535;
  return tableCurve(t);
}

/** sampleTable8 builds a curve from 256 uint8 entries at p (the lut8Type tables). */
export function sampleTable8(b: Uint8Array, p: number): Curve {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) t[i] = b[p + i] / 255;
  return tableCurve(t);
}
