/**
 * The profile connection space and sRGB: 3x3 matrix helpers, CIELAB to XYZ, the Bradford
 * adaptation from the PCS white (D50) to sRGB's (D65), and the sRGB transfer functions.
 */

/** Mat3 is a row-major 3x3 matrix. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

/** D50 is the ICC PCS white point (X, Y, Z). */
export const D50: readonly [number, number, number] = [0.9642, 1, 0.8249];

/** mul multiplies two 3x3 matrices (a after b applied to a column vector: a * b). */
export function mul(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) r[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  }
  return r as unknown as Mat3;
}

/** invert inverts a 3x3 matrix; undefined when it is singular. */
export function invert(m: Mat3): Mat3 | undefined {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  return [
    A / det, -(b * i - c * h) / det, (b * f - c * e) / det,
    B / det, (a * i - c * g) / det, -(a * f - c * d) / det,
    C / det, -(a * h - b * g) / det, (a * e - b * d) / det,
  ];
}

/** apply multiplies m by the column vector (x, y, z). */
export function apply(m: Mat3, x: number, y: number, z: number): [number, number, number] {
  return [m[0] * x + m[1] * y + m[2] * z, m[3] * x + m[4] * y + m[5] * z, m[6] * x + m[7] * y + m[8] * z];
}

/** BRADFORD is the Bradford cone response matrix used for chromatic adaptation. */
const BRADFORD: Mat3 = [0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296];

/** adaptation is the Bradford matrix taking XYZ under white `from` to XYZ under white `to`. */
export function adaptation(from: readonly number[], to: readonly number[]): Mat3 {
  const s = apply(BRADFORD, from[0], from[1], from[2]);
  const d = apply(BRADFORD, to[0], to[1], to[2]);
  const scale: Mat3 = [d[0] / s[0], 0, 0, 0, d[1] / s[1], 0, 0, 0, d[2] / s[2]];
  return mul(invert(BRADFORD) as Mat3, mul(scale, BRADFORD));
}

/** D65 is sRGB's white point (X, Y, Z), from its chromaticity 0.3127, 0.3290. */
const D65: readonly [number, number, number] = [0.3127 / 0.329, 1, (1 - 0.3127 - 0.329) / 0.329];

/** primariesToXyz is the RGB-to-XYZ matrix of primaries (x, y pairs) and white (x, y); undefined when they are degenerate. */
export function primariesToXyz(p: readonly number[], white: readonly number[]): Mat3 | undefined {
  const cols = [0, 1, 2].map((i) => [p[2 * i] / p[2 * i + 1], 1, (1 - p[2 * i] - p[2 * i + 1]) / p[2 * i + 1]]);
  const m: Mat3 = [cols[0][0], cols[1][0], cols[2][0], cols[0][1], cols[1][1], cols[2][1], cols[0][2], cols[1][2], cols[2][2]];
  const w = [white[0] / white[1], 1, (1 - white[0] - white[1]) / white[1]];
  const inv = invert(m);
  if (!inv) return undefined;
  const s = apply(inv, w[0], w[1], w[2]);
  return [m[0] * s[0], m[1] * s[1], m[2] * s[2], m[3] * s[0], m[4] * s[1], m[5] * s[2], m[6] * s[0], m[7] * s[1], m[8] * s[2]];
}

/** SRGB_PRIMARIES are the sRGB (Rec. 709) primaries' chromaticities. */
const SRGB_PRIMARIES = [0.64, 0.33, 0.3, 0.6, 0.15, 0.06];

/** SRGB_TO_XYZ_D50 is linear sRGB to PCS XYZ (D50), Bradford-adapted, as ICC sRGB profiles store it. */
export const SRGB_TO_XYZ_D50: Mat3 = mul(adaptation(D65, D50), primariesToXyz(SRGB_PRIMARIES, [0.3127, 0.329]) as Mat3);

/** XYZ_D50_TO_SRGB is PCS XYZ (D50) to linear sRGB. */
export const XYZ_D50_TO_SRGB: Mat3 = invert(SRGB_TO_XYZ_D50) as Mat3;

/** labToXyz converts CIELAB (D50) to XYZ relative to D50 white, writing X, Y, Z to out. */
export function labToXyz(L: number, a: number, b: number, out: Float64Array): void {
  const fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
  const inv = (t: number): number => (t > 6 / 29 ? t * t * t : 3 * (6 / 29) ** 2 * (t - 4 / 29));
  out[0] = D50[0] * inv(fx);
  out[1] = D50[1] * inv(fy);
  out[2] = D50[2] * inv(fz);
}

/** srgbToLinear is the sRGB decoding function on [0, 1]. */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/** linearToSrgb is the sRGB encoding function on [0, 1]. */
export function linearToSrgb(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 1;
  return v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

/** OETF_BITS is the resolution of the linear-to-sRGB table: 12 bits keep every output within one 8-bit step. */
export const OETF_BITS = 12;
const OETF_SIZE = 1 << OETF_BITS;

/** OETF_8 maps a linear value scaled to 0..OETF_SIZE-1 to its 8-bit sRGB code. */
export const OETF_8: Uint8Array = (() => {
  const t = new Uint8Array(OETF_SIZE);
  for (let i = 0; i < OETF_SIZE; i++) t[i] = Math.round(linearToSrgb(i / (OETF_SIZE - 1)) * 255);
  return t;
})();

/** OETF_F maps a linear value scaled to 0..OETF_SIZE-1 to sRGB on 0..255 (unrounded), for the YCbCr path. */
export const OETF_F: Float32Array = (() => {
  const t = new Float32Array(OETF_SIZE);
  for (let i = 0; i < OETF_SIZE; i++) t[i] = linearToSrgb(i / (OETF_SIZE - 1)) * 255;
  return t;
})();

/** oetfIndex is the OETF table index of a linear value (clamped to [0, 1]). */
export function oetfIndex(v: number): number {
  return v > 0 ? (v < 1 ? (v * (OETF_SIZE - 1) + 0.5) | 0 : OETF_SIZE - 1) : 0;
}
