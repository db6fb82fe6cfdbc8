/**
 * Source profile to sRGB: a Converter built once per profile from its matrix/TRC tags (RGB),
 * its gray TRC, or its A2B0 LUT (RGB, gray or CMYK), with lookup tables that make the per-pixel
 * work a few table reads and a 3x3 matrix in linear light.
 *
 * Matrix/TRC profiles are converted exactly: per-channel tables to linear light, one matrix
 * (the profile's colorants, already D50-adapted in the PCS, then PCS to linear sRGB with the
 * Bradford adaptation to D65), then a 12-bit table to sRGB. LUT profiles are sampled once onto a
 * grid in sRGB (33 points per axis for RGB, 17 for CMYK) and interpolated per pixel, as
 * LittleCMS precalculates its transforms.
 */
import { parseCurveTag, type Curve } from './curves.js';
import { IccError, readXYZ, tagData, type IccProfile } from './icc.js';
import { parseAtoB, type Pipeline } from './luts.js';
import { apply, D50, linearToSrgb, mul, SRGB_TO_XYZ_D50, srgbToLinear, XYZ_D50_TO_SRGB, type Mat3 } from './pcs.js';

/** GRID_POINTS are the grid sizes LUT profiles are sampled onto, per number of input channels. */
const GRID_POINTS: Record<number, number> = { 1: 256, 3: 33, 4: 17 };

/** Converter maps device values of a profile's colour space to sRGB. */
export interface Converter {
  /** Device channels: 1 (gray), 3 (RGB) or 4 (CMYK). */
  channels: 1 | 3 | 4;
  /** Matrix/TRC (RGB) or TRC (gray) profiles: per-channel curves to linear and the matrix to linear sRGB. */
  matrix?: { curves: Curve[]; m: Mat3 };
  /** evaluate maps normalised device values to sRGB on 0..255 (clamped, unrounded), exactly. */
  evaluate(device: ArrayLike<number>, out: Float64Array): void;
}

/** matrixOf is the colorant matrix (device linear RGB to PCS XYZ) of a matrix/TRC profile. */
function colorantMatrix(p: IccProfile): Mat3 {
  const cols = ['rXYZ', 'gXYZ', 'bXYZ'].map((t) => readXYZ(tagData(p, t) as Uint8Array));
  return [cols[0][0], cols[1][0], cols[2][0], cols[0][1], cols[1][1], cols[2][1], cols[0][2], cols[1][2], cols[2][2]];
}

/** hasTags reports whether p has every tag in names. */
function hasTags(p: IccProfile, names: string[]): boolean {
  return names.every((n) => p.tags.has(n));
}

/** matrixConverterOf builds an exact converter from curves (one: gray) and a device-linear to linear-sRGB matrix. */
export function matrixConverterOf(curves: Curve[], m: Mat3): Converter {
  const gray = curves.length === 1;
  return {
    channels: gray ? 1 : 3,
    matrix: { curves, m },
    evaluate(d, out) {
      if (gray) {
        const v = linearToSrgb(curves[0](d[0])) * 255;
        out[0] = out[1] = out[2] = v;
        return;
      }
      const [r, g, b] = apply(m, curves[0](d[0]), curves[1](d[1]), curves[2](d[2]));
      out[0] = linearToSrgb(r) * 255; out[1] = linearToSrgb(g) * 255; out[2] = linearToSrgb(b) * 255;
    },
  };
}

/** pipelineConverter builds an exact converter from an A2B pipeline (gray output is neutral). */
function pipelineConverter(pl: Pipeline, channels: 1 | 3 | 4): Converter {
  const xyz = new Float64Array(3);
  return {
    channels,
    evaluate(d, out) {
      pl.toXyz(d, xyz);
      const [r, g, b] = apply(XYZ_D50_TO_SRGB, xyz[0], xyz[1], xyz[2]);
      out[0] = linearToSrgb(r) * 255; out[1] = linearToSrgb(g) * 255; out[2] = linearToSrgb(b) * 255;
    },
  };
}

/** lightnessToY is CIE L* to relative luminance Y. */
function lightnessToY(L: number): number {
  const f = (L + 16) / 116;
  return f > 6 / 29 ? f * f * f : 3 * (6 / 29) ** 2 * (f - 4 / 29);
}

/** CHANNELS maps the data colour spaces we convert to their channel count. */
const CHANNELS: Record<string, 1 | 3 | 4 | undefined> = { 'RGB ': 3, GRAY: 1, CMYK: 4 };

/**
 * buildConverter makes the Converter of a parsed profile: matrix/TRC when the profile has those
 * tags (display and working-space profiles), else its A2B0 LUT. It throws IccError for a colour
 * space, class or tag layout it cannot convert from.
 */
export function buildConverter(p: IccProfile): Converter {
  const channels = CHANNELS[p.colorSpace];
  if (channels === undefined) throw new IccError(`colour profiles for ${p.colorSpace.trim()} data are not supported`);
  if (p.deviceClass === 'link' || p.deviceClass === 'abst' || p.deviceClass === 'nmcl') {
    throw new IccError(`colour profiles of class ${p.deviceClass} are not supported`);
  }
  if (channels === 3 && hasTags(p, ['rXYZ', 'gXYZ', 'bXYZ', 'rTRC', 'gTRC', 'bTRC']) && p.pcs === 'XYZ ') {
    const curves = ['rTRC', 'gTRC', 'bTRC'].map((t) => parseCurveTag(tagData(p, t) as Uint8Array));
    return matrixConverterOf(curves, mul(XYZ_D50_TO_SRGB, colorantMatrix(p)));
  }
  if (channels === 1 && p.tags.has('kTRC') && !p.tags.has('A2B0')) {
    // A gray TRC gives the PCS luminance Y of a neutral (L* / 100 when the PCS is Lab): the
    // same Y in every sRGB channel.
    const trc = parseCurveTag(tagData(p, 'kTRC') as Uint8Array);
    const curve: Curve = p.pcs === 'Lab ' ? (x) => lightnessToY(trc(x) * 100) : trc;
    return matrixConverterOf([curve], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  }
  const a2b = tagData(p, 'A2B0');
  if (!a2b) throw new IccError('the colour profile has neither matrix/TRC tags nor an A2B0 table');
  const pl = parseAtoB(a2b, p.pcs);
  if (pl.inputs !== channels) throw new IccError('the colour profile A2B0 table does not match its colour space');
  return pipelineConverter(pl, channels);
}

/** SRGB_TOLERANCE is the CIELAB distance (ΔE*76) under which a profile counts as sRGB: below what anyone can see. */
const SRGB_TOLERANCE = 0.5;

/** srgbLab is the CIELAB (D50) of an sRGB colour given on 0..255. */
function srgbLab(r: number, g: number, b: number): [number, number, number] {
  const [X, Y, Z] = apply(SRGB_TO_XYZ_D50, srgbToLinear(r / 255), srgbToLinear(g / 255), srgbToLinear(b / 255));
  const f = (t: number): number => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const fx = f(X / D50[0]), fy = f(Y / D50[1]), fz = f(Z / D50[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/**
 * isNearSrgb reports whether an RGB converter is sRGB in effect: every colour of a test grid
 * comes out within SRGB_TOLERANCE of itself, so converting would change nothing visible (and
 * the JPEG YCbCr path runs untouched for sRGB-tagged files).
 */
export function isNearSrgb(c: Converter): boolean {
  if (c.channels !== 3) return false;
  const out = new Float64Array(3), steps = [0, 0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
  for (const r of steps) {
    for (const g of steps) {
      for (const b of steps) {
        c.evaluate([r, g, b], out);
        const a = srgbLab(r * 255, g * 255, b * 255), z = srgbLab(out[0], out[1], out[2]);
        if (Math.hypot(a[0] - z[0], a[1] - z[1], a[2] - z[2]) > SRGB_TOLERANCE) return false;
      }
    }
  }
  return true;
}

/** Grid is a converter sampled on a regular grid: `points` per axis, three sRGB outputs per node. */
export interface Grid {
  channels: number;
  points: number;
  data: Float32Array;
}

/** sampleGrid samples c onto a grid of GRID_POINTS[c.channels] points per axis. */
export function sampleGrid(c: Converter): Grid {
  const n = c.channels, points = GRID_POINTS[n];
  const nodes = points ** n;
  const data = new Float32Array(nodes * 3);
  const dev = new Float64Array(n), out = new Float64Array(3);
  for (let i = 0; i < nodes; i++) {
    for (let d = n - 1, k = i; d >= 0; d--, k = Math.floor(k / points)) dev[d] = (k % points) / (points - 1);
    c.evaluate(dev, out);
    data[3 * i] = out[0]; data[3 * i + 1] = out[1]; data[3 * i + 2] = out[2];
  }
  return { channels: n, points, data };
}

/** srgbIdentity is the converter of an sRGB source (used when a PNG's sRGB chunk names it). */
export function srgbIdentity(): Converter {
  return matrixConverterOf([srgbToLinear, srgbToLinear, srgbToLinear], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
}
