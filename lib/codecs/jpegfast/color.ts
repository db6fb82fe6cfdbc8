/**
 * Chroma upsampling and colour conversion for the fast JPEG decoder: turns decoded component
 * planes into RGBA8. Factor-2 subsampling uses libjpeg's "fancy" triangle filter (3:1 weights);
 * any other ratio replicates the nearest sample.
 */

/** Plane is one decoded component at the output scale. */
export interface Plane {
  data: Uint8Array;
  stride: number;
  /** width and height of the valid samples in data. */
  width: number;
  height: number;
  /** sampling factors from the frame header. */
  h: number;
  v: number;
}

/** ColorSpace is how the decoded components map to RGB. */
export type ColorSpace = 'gray' | 'ycc' | 'rgb' | 'cmyk' | 'ycck';

const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  // libjpeg's fixed-point constants (16 fractional bits), so results match it bit for bit.
  CR_R[i] = (91881 * x + 32768) >> 16;
  CB_B[i] = (116130 * x + 32768) >> 16;
  CR_G[i] = -46802 * x + 32768;
  CB_G[i] = -22554 * x;
}


/** LITTLE is true when an Int32Array stores bytes in little-endian order (RGBA packs as ABGR). */
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** RowSource produces one output-resolution row of a component. */
class RowSource {
  private readonly p: Plane;
  private readonly hmode: number;
  private readonly vmode: number;
  private readonly hmax: number;
  private readonly vmax: number;
  private readonly colsum: Int32Array;
  /** row holds the latest upsampled row unless direct is true. */
  readonly row: Uint8Array;
  readonly direct: boolean;
  /** h2v2 is true for a component subsampled by 2 on both axes (4:2:0 chroma). */
  readonly h2v2: boolean;

  constructor(p: Plane, hmax: number, vmax: number, outW: number) {
    this.p = p;
    this.hmax = hmax;
    this.vmax = vmax;
    this.hmode = hmax === p.h ? 1 : hmax === 2 * p.h ? 2 : 0;
    this.vmode = vmax === p.v ? 1 : vmax === 2 * p.v ? 2 : 0;
    this.direct = this.hmode === 1 && this.vmode === 1;
    this.h2v2 = this.hmode === 2 && this.vmode === 2;
    this.colsum = new Int32Array(p.width + 1);
    this.row = new Uint8Array(outW + 1);
  }

  /** offset returns where row y starts in the plane (direct sources only). */
  offset(y: number): number {
    const p = this.p;
    return (y < p.height ? y : p.height - 1) * p.stride;
  }

  /** fill upsamples row y into this.row. */
  fill(y: number, outW: number): void {
    const p = this.p;
    const d = p.data;
    const cw = p.width;
    const cs = this.colsum;
    const last = p.height - 1;
    if (this.vmode === 2 && this.hmode === 2) {
      // h2v2 (4:2:0), fused: vertical 3:1 blend and horizontal 3:1 blend in one pass.
      let near = y >> 1;
      if (near > last) near = last;
      let far = y & 1 ? near + 1 : near - 1;
      if (far < 0) far = 0;
      if (far > last) far = last;
      const a = near * p.stride, b = far * p.stride;
      const out = this.row;
      const lastc = cw - 1;
      let cur = 3 * d[a] + d[b];
      let prev = cur;
      for (let i = 0, x = 0; x < outW; i++, x += 2) {
        const next = i < lastc ? 3 * d[a + i + 1] + d[b + i + 1] : cur;
        const c3 = 3 * cur;
        out[x] = (c3 + prev + 8) >> 4;
        out[x + 1] = (c3 + next + 7) >> 4;
        prev = cur;
        cur = next;
      }
      return;
    }
    if (this.vmode === 2) {
      let near = y >> 1;
      if (near > last) near = last;
      let far = y & 1 ? near + 1 : near - 1;
      if (far < 0) far = 0;
      if (far > last) far = last;
      const a = near * p.stride, b = far * p.stride;
      for (let x = 0; x < cw; x++) cs[x] = 3 * d[a + x] + d[b + x];
    } else {
      let r = this.vmode === 1 ? y : Math.floor((y * p.v) / this.vmax);
      if (r > last) r = last;
      const a = r * p.stride;
      for (let x = 0; x < cw; x++) cs[x] = d[a + x] << 2;
    }
    const out = this.row;
    if (this.hmode === 2 && this.vmode === 1) {
      // h2v1: libjpeg's rounding (+1 left sample, +2 right sample) on unscaled samples.
      const lastc = cw - 1;
      for (let i = 0, x = 0; x < outW; i++, x += 2) {
        const c = 3 * (cs[i] >> 2);
        out[x] = (c + (cs[i > 0 ? i - 1 : 0] >> 2) + 1) >> 2;
        out[x + 1] = (c + (cs[i < lastc ? i + 1 : lastc] >> 2) + 2) >> 2;
      }
    } else if (this.hmode === 2) {
      const lastc = cw - 1;
      for (let i = 0, x = 0; x < outW; i++, x += 2) {
        const c = 3 * cs[i];
        out[x] = (c + cs[i > 0 ? i - 1 : 0] + 8) >> 4;
        out[x + 1] = (c + cs[i < lastc ? i + 1 : lastc] + 7) >> 4;
      }
    } else if (this.hmode === 1) {
      // h1v2 rounds the upper output row with +1 and the lower with +2, as libjpeg does.
      const bias = this.vmode === 2 ? 1 + (y & 1) : 2;
      for (let x = 0; x < outW; x++) out[x] = (cs[x < cw ? x : cw - 1] + bias) >> 2;
    } else {
      for (let x = 0; x < outW; x++) {
        let i = Math.floor((x * p.h) / this.hmax);
        if (i >= cw) i = cw - 1;
        out[x] = (cs[i] + 2) >> 2;
      }
    }
  }
}

/** planesToRGBA converts component planes to an RGBA8 image of outW x outH. */
export function planesToRGBA(planes: Plane[], cs: ColorSpace, outW: number, outH: number): Uint8Array {
  const buf = new ArrayBuffer(outW * outH * 4);
  const out = new Uint8ClampedArray(buf);
  const out32 = new Int32Array(buf);
  let hmax = 1, vmax = 1;
  for (const p of planes) {
    if (p.h > hmax) hmax = p.h;
    if (p.v > vmax) vmax = p.v;
  }
  const srcs = planes.map((p) => new RowSource(p, hmax, vmax, outW));
  if (cs === 'ycc' && LITTLE && srcs.length === 3 && srcs[0].direct && srcs[1].h2v2 && srcs[2].h2v2) {
    yccH2V2(planes, out32, outW, outH);
    return new Uint8Array(buf);
  }
  const n = srcs.length;
  const rows: Uint8Array[] = new Array(n);
  const offs: number[] = new Array(n).fill(0);
  let o = 0;
  for (let y = 0; y < outH; y++) {
    for (let c = 0; c < n; c++) {
      const s = srcs[c];
      if (s.direct) {
        rows[c] = planes[c].data;
        offs[c] = s.offset(y);
      } else {
        s.fill(y, outW);
        rows[c] = s.row;
        offs[c] = 0;
      }
    }
    const r0 = rows[0], o0 = offs[0];
    if (cs === 'gray' && LITTLE) {
      for (let x = 0, o32 = o >> 2; x < outW; x++, o32++) {
        const g = r0[o0 + x];
        out32[o32] = 0xff000000 | (g << 16) | (g << 8) | g;
      }
      o += outW * 4;
      continue;
    }
    if (cs === 'gray') {
      for (let x = 0; x < outW; x++, o += 4) {
        const g = r0[o0 + x];
        out[o] = g; out[o + 1] = g; out[o + 2] = g; out[o + 3] = 255;
      }
      continue;
    }
    const r1 = rows[1], o1 = offs[1], r2 = rows[2], o2 = offs[2];
    if (cs === 'ycc' && LITTLE) {
      for (let x = 0, o32 = o >> 2; x < outW; x++, o32++) {
        // Arithmetic with branchy clamps measured faster here than table lookups.
        const Y = r0[o0 + x], cb = r1[o1 + x] - 128, cr = r2[o2 + x] - 128;
        let r = Y + ((91881 * cr + 32768) >> 16);
        let g = Y + ((-22554 * cb - 46802 * cr + 32768) >> 16);
        let b = Y + ((116130 * cb + 32768) >> 16);
        r = r < 0 ? 0 : r > 255 ? 255 : r;
        g = g < 0 ? 0 : g > 255 ? 255 : g;
        b = b < 0 ? 0 : b > 255 ? 255 : b;
        out32[o32] = 0xff000000 | (b << 16) | (g << 8) | r;
      }
      o += outW * 4;
    } else if (cs === 'ycc') {
      for (let x = 0; x < outW; x++, o += 4) {
        const Y = r0[o0 + x], cb = r1[o1 + x], cr = r2[o2 + x];
        out[o] = Y + CR_R[cr];
        out[o + 1] = Y + ((CB_G[cb] + CR_G[cr]) >> 16);
        out[o + 2] = Y + CB_B[cb];
        out[o + 3] = 255;
      }
    } else if (cs === 'rgb') {
      for (let x = 0; x < outW; x++, o += 4) {
        out[o] = r0[o0 + x]; out[o + 1] = r1[o1 + x]; out[o + 2] = r2[o2 + x]; out[o + 3] = 255;
      }
    } else {
      // Adobe CMYK is stored inverted (0 = full ink), so R = C' * K' / 255 on the stored values.
      const r3 = rows[3], o3 = offs[3];
      const ycck = cs === 'ycck';
      for (let x = 0; x < outW; x++, o += 4) {
        let c = r0[o0 + x], m = r1[o1 + x], ye = r2[o2 + x];
        const k = r3[o3 + x];
        if (ycck) {
          const Y = c, cb = m, cr = ye;
          c = 255 - clamp(Y + CR_R[cr]);
          m = 255 - clamp(Y + ((CB_G[cb] + CR_G[cr]) >> 16));
          ye = 255 - clamp(Y + CB_B[cb]);
        }
        out[o] = (c * k + 127) / 255;
        out[o + 1] = (m * k + 127) / 255;
        out[o + 2] = (ye * k + 127) / 255;
        out[o + 3] = 255;
      }
    }
  }
  return new Uint8Array(buf);
}

/** chromaRows returns the plane offsets of the near and far chroma rows that output row y blends. */
function chromaRows(p: Plane, y: number): [number, number] {
  const last = p.height - 1;
  let near = y >> 1;
  if (near > last) near = last;
  let far = y & 1 ? near + 1 : near - 1;
  if (far < 0) far = 0;
  if (far > last) far = last;
  return [near * p.stride, far * p.stride];
}

/**
 * yccH2V2 is the 4:2:0 YCbCr case of planesToRGBA with both chroma planes upsampled inline, so
 * each pixel costs one word store and no intermediate rows; it gives exactly RowSource.fill's
 * fancy-upsampled samples and the generic loop's colour arithmetic.
 */
function yccH2V2(planes: Plane[], out32: Int32Array, outW: number, outH: number): void {
  const py = planes[0], pb = planes[1], pr = planes[2];
  const yd = py.data, bd = pb.data, rd = pr.data;
  const ylast = py.height - 1;
  const lastb = pb.width - 1, lastr = pr.width - 1;
  const pairs = outW >> 1;
  for (let y = 0, o = 0; y < outH; y++, o += outW) {
    const yo = (y < ylast ? y : ylast) * py.stride;
    const [ba, bb] = chromaRows(pb, y);
    const [ra, rb] = chromaRows(pr, y);
    let curB = 3 * bd[ba] + bd[bb], prevB = curB;
    let curR = 3 * rd[ra] + rd[rb], prevR = curR;
    let i = 0;
    for (; i < pairs; i++) {
      const nextB = i < lastb ? 3 * bd[ba + i + 1] + bd[bb + i + 1] : curB;
      const nextR = i < lastr ? 3 * rd[ra + i + 1] + rd[rb + i + 1] : curR;
      const b3 = 3 * curB, r3 = 3 * curR;
      const x = 2 * i;
      out32[o + x] = yccWord(yd[yo + x], ((b3 + prevB + 8) >> 4) - 128, ((r3 + prevR + 8) >> 4) - 128);
      out32[o + x + 1] = yccWord(yd[yo + x + 1], ((b3 + nextB + 7) >> 4) - 128, ((r3 + nextR + 7) >> 4) - 128);
      prevB = curB; curB = nextB;
      prevR = curR; curR = nextR;
    }
    if (outW & 1) {
      const x = 2 * i;
      out32[o + x] = yccWord(yd[yo + x], ((3 * curB + prevB + 8) >> 4) - 128, ((3 * curR + prevR + 8) >> 4) - 128);
    }
  }
}

/** yccWord converts one YCbCr sample (cb and cr centred on 0) to an opaque little-endian RGBA word. */
function yccWord(Y: number, cb: number, cr: number): number {
  let r = Y + ((91881 * cr + 32768) >> 16);
  let g = Y + ((-22554 * cb - 46802 * cr + 32768) >> 16);
  let b = Y + ((116130 * cb + 32768) >> 16);
  if (((r | g | b) & ~255) !== 0) {
    r = r < 0 ? 0 : r > 255 ? 255 : r;
    g = g < 0 ? 0 : g > 255 ? 255 : g;
    b = b < 0 ? 0 : b > 255 ? 255 : b;
  }
  return 0xff000000 | (b << 16) | (g << 8) | r;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * planesToInk converts four-component planes (Adobe CMYK or YCCK, stored inverted as Adobe
 * writes them) to interleaved ink amounts, CMYK8 with 255 = full ink, for a CMYK profile to
 * convert (lib/color); chroma is upsampled as planesToRGBA does.
 */
export function planesToInk(planes: Plane[], cs: ColorSpace, outW: number, outH: number): Uint8Array {
  let hmax = 1, vmax = 1;
  for (const p of planes) {
    if (p.h > hmax) hmax = p.h;
    if (p.v > vmax) vmax = p.v;
  }
  const srcs = planes.map((p) => new RowSource(p, hmax, vmax, outW));
  const out = new Uint8Array(outW * outH * 4);
  const rows: Uint8Array[] = [], offs: number[] = [0, 0, 0, 0];
  for (let y = 0, o = 0; y < outH; y++) {
    for (let c = 0; c < 4; c++) {
      const s = srcs[c];
      if (s.direct) { rows[c] = planes[c].data; offs[c] = s.offset(y); } else { s.fill(y, outW); rows[c] = s.row; offs[c] = 0; }
    }
    for (let x = 0; x < outW; x++, o += 4) {
      const a = rows[0][offs[0] + x], b = rows[1][offs[1] + x], c = rows[2][offs[2] + x];
      if (cs === 'ycck') {
        // YCCK holds the RGB of the stored (inverted) CMY: ink = 255 - stored = that RGB.
        out[o] = clamp(a + CR_R[c]);
        out[o + 1] = clamp(a + ((CB_G[b] + CR_G[c]) >> 16));
        out[o + 2] = clamp(a + CB_B[b]);
      } else {
        out[o] = 255 - a; out[o + 1] = 255 - b; out[o + 2] = 255 - c;
      }
      out[o + 3] = 255 - rows[3][offs[3] + x];
    }
  }
  return out;
}
