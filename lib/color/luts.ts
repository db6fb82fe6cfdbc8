/**
 * ICC LUT-based transforms, device to PCS: lut8Type (`mft1`), lut16Type (`mft2`) and
 * lutAtoBType (`mAB `), read with every table checked against the tag's bytes and evaluated in
 * floating point (curves, an n-linear CLUT, the A2B matrix), ending in PCS XYZ (D50).
 *
 * Only the device-to-PCS direction is needed: the proxy converts sources to sRGB and never
 * writes device values through a profile (B2A tags are not read).
 */
import { clamp01, parseCurveSequence, sampleTable16, sampleTable8, type Curve } from './curves.js';
import { IccError, s15f16, sig, u16, u32 } from './icc.js';
import { labToXyz } from './pcs.js';

/** MAX_CLUT_ENTRIES bounds a CLUT's grid (points^inputs * outputs) before anything is allocated for it. */
export const MAX_CLUT_ENTRIES = 1 << 22;

/** Clut is an n-dimensional colour lookup table with normalised outputs. */
interface Clut {
  grid: number[];
  outputs: number;
  data: Float32Array;
}

/** PcsEncoding says how a LUT's last outputs encode PCS values. */
type PcsEncoding = 'xyz' | 'lab' | 'lab-v2';

/** Pipeline is a device-to-PCS transform read from an A2B tag. */
export interface Pipeline {
  inputs: number;
  /** toXyz maps normalised device values (inputs of them) to PCS XYZ relative to D50 white (Y = 1). */
  toXyz(device: ArrayLike<number>, out: Float64Array): void;
}

/** clutAt reads a CLUT of `grid` points per input with `precision`-byte entries at p (ending by end). */
function clutAt(b: Uint8Array, p: number, end: number, grid: number[], outputs: number, precision: number): Clut {
  let entries = outputs;
  for (const g of grid) {
    if (g < 2) throw new IccError('a colour profile CLUT has fewer than two grid points');
    entries *= g;
    if (entries > MAX_CLUT_ENTRIES) throw new IccError('a colour profile CLUT is too large');
  }
  if (p + entries * precision > end) throw new IccError('a colour profile CLUT is truncated');
  const data = new Float32Array(entries);
  if (precision === 1) for (let i = 0; i < entries; i++) data[i] = b[p + i] / 255;
  else for (let i = 0; i < entries; i++) data[i] = u16(b, p + 2 * i) / 65535;
  return { grid, outputs, data };
}

/** evalClut interpolates clut n-linearly at normalised inputs `x`, writing its outputs to out. */
function evalClut(c: Clut, x: ArrayLike<number>, out: Float64Array): void {
  const n = c.grid.length, m = c.outputs;
  const base: number[] = [], frac: number[] = [], stride: number[] = new Array(n);
  let s = m;
  for (let d = n - 1; d >= 0; d--) { stride[d] = s; s *= c.grid[d]; }
  let at = 0;
  for (let d = 0; d < n; d++) {
    const pos = clamp01(x[d]) * (c.grid[d] - 1);
    const i = Math.min(c.grid[d] - 2, Math.floor(pos));
    base.push(i);
    frac.push(pos - i);
    at += i * stride[d];
  }
  for (let o = 0; o < m; o++) out[o] = 0;
  for (let corner = 0; corner < 1 << n; corner++) {
    let w = 1, idx = at;
    for (let d = 0; d < n; d++) {
      if (corner & (1 << (n - 1 - d))) { w *= frac[d]; idx += stride[d]; } else w *= 1 - frac[d];
    }
    if (w === 0) continue;
    for (let o = 0; o < m; o++) out[o] += w * c.data[idx + o];
  }
}

/** decodePcs turns normalised PCS outputs into XYZ (D50, Y = 1 at white). */
function decodePcs(enc: PcsEncoding, v: Float64Array, out: Float64Array): void {
  if (enc === 'xyz') {
    const k = 65535 / 32768;
    out[0] = v[0] * k; out[1] = v[1] * k; out[2] = v[2] * k;
    return;
  }
  const scale = enc === 'lab-v2' ? 65535 / 65280 : 1;
  const L = v[0] * scale * 100;
  const a = v[1] * scale * 255 - 128, bb = v[2] * scale * 255 - 128;
  labToXyz(L, a, bb, out);
}

/** checkChannels refuses channel counts a device-to-PCS LUT of a supported profile cannot have. */
function checkChannels(inputs: number, outputs: number): void {
  if (![1, 3, 4].includes(inputs) || outputs !== 3) {
    throw new IccError(`a colour profile LUT maps ${inputs} to ${outputs} channels`);
  }
}

/** pipeline assembles a Pipeline from its stages. */
function pipeline(inputs: number, enc: PcsEncoding, stages: ((v: Float64Array) => void)[]): Pipeline {
  const v = new Float64Array(Math.max(4, inputs)), tmp = new Float64Array(4);
  return {
    inputs,
    toXyz(device, out) {
      for (let i = 0; i < inputs; i++) v[i] = device[i];
      for (const s of stages) s(v);
      tmp[0] = v[0]; tmp[1] = v[1]; tmp[2] = v[2];
      decodePcs(enc, tmp, out);
    },
  };
}

/** curveStage applies one curve per channel in place. */
function curveStage(curves: Curve[]): (v: Float64Array) => void {
  return (v) => { for (let i = 0; i < curves.length; i++) v[i] = curves[i](v[i]); };
}

/** clutStage replaces the inputs with the CLUT's outputs. */
function clutStage(c: Clut): (v: Float64Array) => void {
  const out = new Float64Array(c.outputs);
  return (v) => { evalClut(c, v, out); for (let i = 0; i < c.outputs; i++) v[i] = out[i]; };
}

/** parseLut8or16 reads an mft1 or mft2 tag (the matrix applies to XYZ input only, so it is skipped). */
function parseLut8or16(d: Uint8Array, pcs: string, sixteen: boolean): Pipeline {
  if (d.length < (sixteen ? 52 : 48)) throw new IccError('a colour profile LUT is truncated');
  const inputs = d[8], outputs = d[9], points = d[10];
  checkChannels(inputs, outputs);
  const inN = sixteen ? u16(d, 48) : 256, outN = sixteen ? u16(d, 50) : 256;
  if (sixteen && (inN < 2 || inN > 4096 || outN < 2 || outN > 4096)) throw new IccError('a colour profile LUT has bad table sizes');
  const size = sixteen ? 2 : 1;
  let p = sixteen ? 52 : 48;
  if (p + inputs * inN * size > d.length) throw new IccError('a colour profile LUT is truncated');
  const inCurves: Curve[] = [];
  for (let i = 0; i < inputs; i++, p += inN * size) inCurves.push(sixteen ? sampleTable16(d, p, inN) : sampleTable8(d, p));
  const clut = clutAt(d, p, d.length, new Array<number>(inputs).fill(points), outputs, size);
  p += clut.data.length * size;
  if (p + outputs * outN * size > d.length) throw new IccError('a colour profile LUT is truncated');
  const outCurves: Curve[] = [];
  for (let i = 0; i < outputs; i++, p += outN * size) outCurves.push(sixteen ? sampleTable16(d, p, outN) : sampleTable8(d, p));
  const enc: PcsEncoding = pcs === 'Lab ' ? (sixteen ? 'lab-v2' : 'lab') : 'xyz';
  return pipeline(inputs, enc, [curveStage(inCurves), clutStage(clut), curveStage(outCurves)]);
}

/** offsetIn checks that an element offset of an mAB tag lies inside it (0 = absent). */
function offsetIn(d: Uint8Array, at: number): number {
  const o = u32(d, at);
  if (o !== 0 && (o < 32 || o >= d.length)) throw new IccError('a colour profile LUT element lies outside its tag');
  return o;
}

/** matrixStage applies the mAB 3x3 matrix and offsets, in normalised PCS units. */
function matrixStage(d: Uint8Array, p: number): (v: Float64Array) => void {
  if (p + 48 > d.length) throw new IccError('a colour profile LUT matrix is truncated');
  const e = Array.from({ length: 12 }, (_, i) => s15f16(d, p + 4 * i));
  return (v) => {
    const x = v[0], y = v[1], z = v[2];
    v[0] = e[0] * x + e[1] * y + e[2] * z + e[9];
    v[1] = e[3] * x + e[4] * y + e[5] * z + e[10];
    v[2] = e[6] * x + e[7] * y + e[8] * z + e[11];
  };
}

/** parseLutAtoB reads an mAB tag: A curves, CLUT, M curves, matrix, B curves (each optional but B). */
function parseLutAtoB(d: Uint8Array, pcs: string): Pipeline {
  if (d.length < 32) throw new IccError('a colour profile LUT is truncated');
  const inputs = d[8], outputs = d[9];
  checkChannels(inputs, outputs);
  const [oB, oMat, oM, oClut, oA] = [12, 16, 20, 24, 28].map((at) => offsetIn(d, at));
  if (oB === 0) throw new IccError('a colour profile LUT has no B curves');
  if (oClut === 0 && inputs !== outputs) throw new IccError('a colour profile LUT without a CLUT changes the channel count');
  const stages: ((v: Float64Array) => void)[] = [];
  if (oA !== 0) stages.push(curveStage(parseCurveSequence(d, oA, d.length, inputs)));
  if (oClut !== 0) {
    if (oClut + 20 > d.length) throw new IccError('a colour profile CLUT is truncated');
    const grid = Array.from({ length: inputs }, (_, i) => d[oClut + i]);
    const precision = d[oClut + 16];
    if (precision !== 1 && precision !== 2) throw new IccError('a colour profile CLUT has a bad precision');
    stages.push(clutStage(clutAt(d, oClut + 20, d.length, grid, outputs, precision)));
  }
  if (oM !== 0) stages.push(curveStage(parseCurveSequence(d, oM, d.length, outputs)));
  if (oMat !== 0) stages.push(matrixStage(d, oMat));
  stages.push(curveStage(parseCurveSequence(d, oB, d.length, outputs)));
  return pipeline(inputs, pcs === 'Lab ' ? 'lab' : 'xyz', stages);
}

/** parseAtoB reads an A2B tag of any supported LUT type for a profile whose PCS is `pcs`. */
export function parseAtoB(d: Uint8Array, pcs: string): Pipeline {
  if (pcs !== 'Lab ' && pcs !== 'XYZ ') throw new IccError(`a colour profile has PCS ${JSON.stringify(pcs)}`);
  switch (sig(d, 0)) {
    case 'mft1': return parseLut8or16(d, pcs, false);
    case 'mft2': return parseLut8or16(d, pcs, true);
    case 'mAB ': return parseLutAtoB(d, pcs);
    default: throw new IccError(`a colour profile A2B tag has type ${JSON.stringify(sig(d, 0))}`);
  }
}
