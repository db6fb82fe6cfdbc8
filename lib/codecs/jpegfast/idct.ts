/**
 * Inverse DCTs for the fast JPEG decoder: the full 8x8 transform (libjpeg's accurate integer
 * "islow" algorithm) and reduced-size transforms that produce 4x4, 2x2 or 1x1 pixels straight
 * from the coefficients (box-filtered), which is what makes decoding at 1/2, 1/4 and 1/8 cheap.
 *
 * Every function reads a dequantized block in natural order and writes clamped 8-bit samples.
 */

const CONST_BITS = 13;
const PASS1_BITS = 2;
const F0_298 = 2446;
const F0_390 = 3196;
const F0_541 = 4433;
const F0_765 = 6270;
const F0_899 = 7373;
const F1_175 = 9633;
const F1_501 = 12299;
const F1_847 = 15137;
const F1_961 = 16069;
const F2_053 = 16819;
const F2_562 = 20995;
const F3_072 = 25172;

const ws = new Int32Array(64);

/** clamp limits an integer to 0..255; one test covers the common in-range case. */
function clamp(v: number): number {
  return (v & -256) === 0 ? v : v < 0 ? 0 : 255;
}

/**
 * idct8 transforms one block into 8x8 samples at out[off], rows stride bytes apart. nz lists the
 * positions of the nnz non-zero AC coefficients (a superset is fine).
 *
 * OR-ing the positions bounds where the energy sits: when no coefficient lies in rows (or
 * columns) 4..7, those inputs are skipped and the passes use a shortened form of the same integer
 * arithmetic; with no coefficient below row 0 one output row is computed and repeated. Every
 * term is an integer far below 2^53, so regrouping the sums cannot change a result: the output
 * stays bit-exact with libjpeg.
 */
export function idct8(blk: Int32Array, out: Uint8Array, off: number, stride: number, nz: Int32Array, nnz: number): void {
  let m = 0;
  for (let i = 0; i < nnz; i++) m |= nz[i];
  // Columns 4..7 are neither computed nor read when no coefficient lies in them.
  const cols = (m & 4) === 0 ? 4 : 8;
  let rows = 8;
  if ((m & 0x38) === 0) {
    // Only row 0: every column is flat, so all work rows equal the first.
    rows = 1;
    for (let c = 0; c < cols; c++) ws[c] = blk[c] << PASS1_BITS;
  } else {
    // Pass 1: columns into ws, scaled up by PASS1_BITS.
    const low = (m & 0x20) === 0;
    for (let c = 0; c < cols; c++) {
      const i0 = blk[c], i1 = blk[8 + c], i2 = blk[16 + c], i3 = blk[24 + c];
      let i4 = 0, i5 = 0, i6 = 0, i7 = 0;
      if (!low) {
        i4 = blk[32 + c]; i5 = blk[40 + c]; i6 = blk[48 + c]; i7 = blk[56 + c];
      }
      const hi = i4 | i5 | i6 | i7;
      if ((i1 | i2 | i3 | hi) === 0) {
        const dc = i0 << PASS1_BITS;
        ws[c] = dc; ws[8 + c] = dc; ws[16 + c] = dc; ws[24 + c] = dc;
        ws[32 + c] = dc; ws[40 + c] = dc; ws[48 + c] = dc; ws[56 + c] = dc;
        continue;
      }
      let e0, e1, e2, e3, o0, o1, o2, o3;
      if (hi === 0) {
        const t0 = i0 << CONST_BITS;
        const z1 = i2 * F0_541;
        const t3 = z1 + i2 * F0_765;
        e0 = t0 + t3; e1 = t0 + z1; e2 = t0 - z1; e3 = t0 - t3;
        const z5 = (i3 + i1) * F1_175;
        o0 = z5 - i1 * F0_899 - i3 * F1_961;
        o1 = z5 - i3 * F2_562 - i1 * F0_390;
        o2 = z5 - i3 * (F2_562 + F1_961 - F3_072);
        o3 = z5 + i1 * (F1_501 - F0_899 - F0_390);
      } else {
        const z1 = (i2 + i6) * F0_541;
        const t2 = z1 - i6 * F1_847;
        const t3 = z1 + i2 * F0_765;
        const t0 = (i0 + i4) << CONST_BITS;
        const t1 = (i0 - i4) << CONST_BITS;
        e0 = t0 + t3; e1 = t1 + t2; e2 = t1 - t2; e3 = t0 - t3;
        const z5 = (i7 + i5 + i3 + i1) * F1_175;
        const za = (i7 + i1) * F0_899, zb = (i5 + i3) * F2_562;
        const zc = z5 - (i7 + i3) * F1_961, zd = z5 - (i5 + i1) * F0_390;
        o0 = i7 * F0_298 - za + zc;
        o1 = i5 * F2_053 - zb + zd;
        o2 = i3 * F3_072 - zb + zc;
        o3 = i1 * F1_501 - za + zd;
      }
      const r = 1 << (CONST_BITS - PASS1_BITS - 1);
      const sh = CONST_BITS - PASS1_BITS;
      ws[c] = (e0 + o3 + r) >> sh;
      ws[56 + c] = (e0 - o3 + r) >> sh;
      ws[8 + c] = (e1 + o2 + r) >> sh;
      ws[48 + c] = (e1 - o2 + r) >> sh;
      ws[16 + c] = (e2 + o1 + r) >> sh;
      ws[40 + c] = (e2 - o1 + r) >> sh;
      ws[24 + c] = (e3 + o0 + r) >> sh;
      ws[32 + c] = (e3 - o0 + r) >> sh;
    }
  }
  // Pass 2: rows, descaled by PASS1_BITS + 3 and level-shifted.
  const sh = CONST_BITS + PASS1_BITS + 3;
  const r = (1 << (sh - 1)) + (128 << sh);
  for (let b = 0, o = off; b < rows * 8; b += 8, o += stride) {
    const i0 = ws[b], i1 = ws[b + 1], i2 = ws[b + 2], i3 = ws[b + 3];
    let i4 = 0, i5 = 0, i6 = 0, i7 = 0;
    if (cols === 8) {
      i4 = ws[b + 4]; i5 = ws[b + 5]; i6 = ws[b + 6]; i7 = ws[b + 7];
    }
    const hi = i4 | i5 | i6 | i7;
    let e0, e1, e2, e3, o0, o1, o2, o3;
    if (hi === 0) {
      if ((i1 | i2 | i3) === 0) {
        const v = clamp((i0 + (1 << (PASS1_BITS + 2)) + (128 << (PASS1_BITS + 3))) >> (PASS1_BITS + 3));
        out[o] = v; out[o + 1] = v; out[o + 2] = v; out[o + 3] = v;
        out[o + 4] = v; out[o + 5] = v; out[o + 6] = v; out[o + 7] = v;
        continue;
      }
      const t0 = i0 << CONST_BITS;
      const z1 = i2 * F0_541;
      const t3 = z1 + i2 * F0_765;
      e0 = t0 + t3; e1 = t0 + z1; e2 = t0 - z1; e3 = t0 - t3;
      const z5 = (i3 + i1) * F1_175;
      o0 = z5 - i1 * F0_899 - i3 * F1_961;
      o1 = z5 - i3 * F2_562 - i1 * F0_390;
      o2 = z5 - i3 * (F2_562 + F1_961 - F3_072);
      o3 = z5 + i1 * (F1_501 - F0_899 - F0_390);
    } else {
      const z1 = (i2 + i6) * F0_541;
      const t2 = z1 - i6 * F1_847;
      const t3 = z1 + i2 * F0_765;
      const t0 = (i0 + i4) << CONST_BITS;
      const t1 = (i0 - i4) << CONST_BITS;
      e0 = t0 + t3; e1 = t1 + t2; e2 = t1 - t2; e3 = t0 - t3;
      const z5 = (i7 + i5 + i3 + i1) * F1_175;
      const za = (i7 + i1) * F0_899, zb = (i5 + i3) * F2_562;
      const zc = z5 - (i7 + i3) * F1_961, zd = z5 - (i5 + i1) * F0_390;
      o0 = i7 * F0_298 - za + zc;
      o1 = i5 * F2_053 - zb + zd;
      o2 = i3 * F3_072 - zb + zc;
      o3 = i1 * F1_501 - za + zd;
    }
    out[o] = clamp((e0 + o3 + r) >> sh);
    out[o + 7] = clamp((e0 - o3 + r) >> sh);
    out[o + 1] = clamp((e1 + o2 + r) >> sh);
    out[o + 6] = clamp((e1 - o2 + r) >> sh);
    out[o + 2] = clamp((e2 + o1 + r) >> sh);
    out[o + 5] = clamp((e2 - o1 + r) >> sh);
    out[o + 3] = clamp((e3 + o0 + r) >> sh);
    out[o + 4] = clamp((e3 - o0 + r) >> sh);
  }
  if (rows === 1) {
    const v0 = out[off], v1 = out[off + 1], v2 = out[off + 2], v3 = out[off + 3];
    const v4 = out[off + 4], v5 = out[off + 5], v6 = out[off + 6], v7 = out[off + 7];
    for (let row = 1, o = off + stride; row < 8; row++, o += stride) {
      out[o] = v0; out[o + 1] = v1; out[o + 2] = v2; out[o + 3] = v3;
      out[o + 4] = v4; out[o + 5] = v5; out[o + 6] = v6; out[o + 7] = v7;
    }
  }
}

/**
 * boxMatrix returns m[x*8+u] for n = 4 or 2 outputs: the 8-point inverse DCT basis averaged over
 * the 8/n pixels each output covers. Averaging cos((2i+1)u*pi/16) over a run of pixels equals the
 * basis at the run's centre times a per-frequency factor, so a reduced output is exactly the box
 * filter of the full-size block (before rounding) while costing a fraction of it.
 */
function boxMatrix(n: number): Float64Array {
  const m = new Float64Array(n * 8);
  const run = 8 / n;
  for (let x = 0; x < n; x++) {
    for (let u = 0; u < 8; u++) {
      const a = u === 0 ? 1 / (2 * Math.SQRT2) : 0.5;
      let sum = 0;
      for (let i = x * run; i < (x + 1) * run; i++) sum += Math.cos(((2 * i + 1) * u * Math.PI) / 16);
      m[x * 8 + u] = (a * sum) / run;
    }
  }
  return m;
}

const M4 = boxMatrix(4);
const M2 = boxMatrix(2);
const fws = new Float64Array(64);

/**
 * px rounds a reduced output that already carries the level shift plus one half (v + 128.5) and
 * clamps it to 8 bits: flooring v + 128.5 is Math.round(v + 128) without the call.
 */
function px(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : v | 0;
}

// The 1/2-scale basis is symmetric: output 3-x equals output x with the odd frequencies negated,
// and frequency 4 averages to zero over every pixel pair. So each 1-D pass needs only the rows
// x = 0 and 1, split into an even half (frequencies 0, 2, 6) and an odd half (1, 3, 5, 7).
const K0 = M4[0], K2 = M4[2], K6 = M4[6];
const P01 = M4[1], P03 = M4[3], P05 = M4[5], P07 = M4[7];
const P11 = M4[9], P13 = M4[11], P15 = M4[13], P17 = M4[15];

// At 1/4 scale the even frequencies 2, 4 and 6 average to zero over every run of four pixels
// and the second output mirrors the first with the odd frequencies negated.
const Q0 = M2[0], Q1 = M2[1], Q3 = M2[3], Q5 = M2[5], Q7 = M2[7];

/** idctBox4 is the dense 1/2-scale transform: a separable even/odd pass over columns, then rows. */
function idctBox4(blk: Int32Array, out: Uint8Array, off: number, stride: number): void {
  for (let u = 0; u < 8; u++) {
    if (u === 4) continue;
    const c0 = blk[u], c1 = blk[8 + u], c2 = blk[16 + u], c3 = blk[24 + u];
    const c5 = blk[40 + u], c6 = blk[48 + u], c7 = blk[56 + u];
    if ((c0 | c1 | c2 | c3 | c5 | c6 | c7) === 0) {
      fws[u] = 0; fws[8 + u] = 0; fws[16 + u] = 0; fws[24 + u] = 0;
      continue;
    }
    const t = K0 * c0, s = K2 * c2 + K6 * c6;
    const o0 = P01 * c1 + P03 * c3 + P05 * c5 + P07 * c7;
    const o1 = P11 * c1 + P13 * c3 + P15 * c5 + P17 * c7;
    fws[u] = t + s + o0; fws[8 + u] = t - s + o1; fws[16 + u] = t - s - o1; fws[24 + u] = t + s - o0;
  }
  for (let b = 0; b < 32; b += 8, off += stride) {
    const w1 = fws[b + 1], w3 = fws[b + 3], w5 = fws[b + 5], w7 = fws[b + 7];
    const t = K0 * fws[b] + 128.5, s = K2 * fws[b + 2] + K6 * fws[b + 6];
    const o0 = P01 * w1 + P03 * w3 + P05 * w5 + P07 * w7;
    const o1 = P11 * w1 + P13 * w3 + P15 * w5 + P17 * w7;
    out[off] = px(t + s + o0);
    out[off + 1] = px(t - s + o1);
    out[off + 2] = px(t - s - o1);
    out[off + 3] = px(t + s - o0);
  }
}

/**
 * sparse4 returns, per coefficient p, its weights on the four outputs (y, x) in {0,1}^2 followed
 * by the offset of its parity class (vertical odd, horizontal odd) in acc16: the other twelve
 * outputs follow from those by the mirror symmetry, with signs set by the class.
 */
function sparse4(): Float64Array {
  const w = new Float64Array(64 * 5);
  for (let p = 0; p < 64; p++) {
    const v = p >> 3, u = p & 7;
    for (let j = 0; j < 4; j++) w[p * 5 + j] = M4[(j >> 1) * 8 + v] * M4[(j & 1) * 8 + u];
    w[p * 5 + 4] = ((v & 1) * 2 + (u & 1)) * 4;
  }
  return w;
}

const S4 = sparse4();
const acc16 = new Float64Array(16);
/** SPARSE4_MAX is the most non-zero AC terms for which per-coefficient accumulation beats the separable pass. */
const SPARSE4_MAX = 3;

/**
 * idct4 produces 4x4 samples (scale 1/2): each the mean of a 2x2 square of the full-size block.
 * nz lists the positions of the nnz non-zero AC coefficients; few of them take a sparse path.
 */
export function idct4(blk: Int32Array, out: Uint8Array, off: number, stride: number, nz: Int32Array, nnz: number): void {
  if (nnz > SPARSE4_MAX) {
    idctBox4(blk, out, off, stride);
    return;
  }
  const a = acc16;
  for (let j = 0; j < 16; j++) a[j] = 0;
  for (let i = 0; i < nnz; i++) {
    const p = nz[i];
    const v = blk[p];
    const w = p * 5;
    const k = S4[w + 4];
    a[k] += v * S4[w];
    a[k + 1] += v * S4[w + 1];
    a[k + 2] += v * S4[w + 2];
    a[k + 3] += v * S4[w + 3];
  }
  const dc = blk[0] * S4[0] + 128.5;
  const o3 = off + 3 * stride;
  for (let j = 0; j < 4; j++) {
    const ee = a[j] + dc, eo = a[4 + j], oe = a[8 + j], oo = a[12 + j];
    const s = ee + oe, d = ee - oe, t = eo + oo, q = eo - oo;
    const x = j & 1;
    const top = j < 2 ? off : off + stride, bot = j < 2 ? o3 : o3 - stride;
    out[top + x] = px(s + t);
    out[top + 3 - x] = px(s - t);
    out[bot + x] = px(d + q);
    out[bot + 3 - x] = px(d - q);
  }
}

// The full-size float IDCT uses islow's factorisation (15 products instead of 64) with its
// constants in floating point, scaled by S8 = 1/(2 sqrt 2) to give the true transform.
const S8 = 1 / (2 * Math.SQRT2);
const cs = (k: number): number => Math.cos((k * Math.PI) / 16);
const G = (v: number): number => Math.SQRT2 * v * S8;
const G0_298 = G(-cs(1) + cs(3) + cs(5) - cs(7)), G0_390 = G(cs(3) - cs(5)), G0_541 = G(cs(6));
const G0_765 = G(cs(2) - cs(6)), G0_899 = G(cs(3) - cs(7)), G1_175 = G(cs(3)), G1_501 = G(cs(1) + cs(3) - cs(5) - cs(7));
const G1_847 = G(cs(2) + cs(6)), G1_961 = G(cs(3) + cs(5)), G2_053 = G(cs(1) + cs(3) - cs(5) + cs(7));
const G2_562 = G(cs(1) + cs(3)), G3_072 = G(cs(1) + cs(3) + cs(5) - cs(7));

/** RECT_COLS lists, per horizontal output size, the frequencies whose box weights are not all zero. */
const RECT_COLS: Int32Array[] = [];
RECT_COLS[1] = Int32Array.of(0);
RECT_COLS[2] = Int32Array.of(0, 1, 3, 5, 7);
RECT_COLS[4] = Int32Array.of(0, 1, 2, 3, 5, 6, 7);
RECT_COLS[8] = Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7);

/**
 * idctRect produces nx x ny samples (each of 1, 2, 4 or 8) for components whose horizontal and
 * vertical reduction differ, e.g. 4:2:2 chroma decoded straight at the luma resolution. Each pass
 * uses the same even/odd symmetry as idct4; the 8-sample case is the plain float IDCT.
 */
export function idctRect(blk: Int32Array, out: Uint8Array, off: number, stride: number, nx: number, ny: number): void {
  // Pass 1: the columns the horizontal pass will read, down to ny values each.
  const cols = RECT_COLS[nx];
  for (let i = 0; i < cols.length; i++) {
    const u = cols[i];
    const c0 = blk[u], c1 = blk[8 + u], c2 = blk[16 + u], c3 = blk[24 + u];
    const c4 = blk[32 + u], c5 = blk[40 + u], c6 = blk[48 + u], c7 = blk[56 + u];
    if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) === 0) {
      for (let y = 0; y < ny; y++) fws[y * 8 + u] = 0;
    } else if (ny === 4) {
      const t = K0 * c0, s = K2 * c2 + K6 * c6;
      const o0 = P01 * c1 + P03 * c3 + P05 * c5 + P07 * c7;
      const o1 = P11 * c1 + P13 * c3 + P15 * c5 + P17 * c7;
      fws[u] = t + s + o0; fws[8 + u] = t - s + o1; fws[16 + u] = t - s - o1; fws[24 + u] = t + s - o0;
    } else if (ny === 2) {
      const e = Q0 * c0, o = Q1 * c1 + Q3 * c3 + Q5 * c5 + Q7 * c7;
      fws[u] = e + o; fws[8 + u] = e - o;
    } else if (ny === 1) {
      fws[u] = K0 * c0;
    } else {
      const t0 = (c0 + c4) * S8, t1 = (c0 - c4) * S8;
      const z1 = (c2 + c6) * G0_541, t2 = z1 - c6 * G1_847, t3 = z1 + c2 * G0_765;
      const e0 = t0 + t3, e3 = t0 - t3, e1 = t1 + t2, e2 = t1 - t2;
      const z5 = (c7 + c5 + c3 + c1) * G1_175;
      const za = (c7 + c1) * G0_899, zb = (c5 + c3) * G2_562;
      const zc = z5 - (c7 + c3) * G1_961, zd = z5 - (c5 + c1) * G0_390;
      const o0 = c7 * G0_298 - za + zc, o1 = c5 * G2_053 - zb + zd;
      const o2 = c3 * G3_072 - zb + zc, o3 = c1 * G1_501 - za + zd;
      fws[u] = e0 + o3; fws[56 + u] = e0 - o3; fws[8 + u] = e1 + o2; fws[48 + u] = e1 - o2;
      fws[16 + u] = e2 + o1; fws[40 + u] = e2 - o1; fws[24 + u] = e3 + o0; fws[32 + u] = e3 - o0;
    }
  }
  // Pass 2: each of the ny rows down to nx samples.
  for (let b = 0; b < ny * 8; b += 8, off += stride) {
    const w0 = fws[b];
    if (nx === 1) {
      out[off] = px(K0 * w0 + 128.5);
    } else if (nx === 2) {
      const e = Q0 * w0 + 128.5, o = Q1 * fws[b + 1] + Q3 * fws[b + 3] + Q5 * fws[b + 5] + Q7 * fws[b + 7];
      out[off] = px(e + o); out[off + 1] = px(e - o);
    } else if (nx === 4) {
      const w1 = fws[b + 1], w3 = fws[b + 3], w5 = fws[b + 5], w7 = fws[b + 7];
      const t = K0 * w0 + 128.5, s = K2 * fws[b + 2] + K6 * fws[b + 6];
      const o0 = P01 * w1 + P03 * w3 + P05 * w5 + P07 * w7;
      const o1 = P11 * w1 + P13 * w3 + P15 * w5 + P17 * w7;
      out[off] = px(t + s + o0); out[off + 1] = px(t - s + o1); out[off + 2] = px(t - s - o1); out[off + 3] = px(t + s - o0);
    } else {
      const w1 = fws[b + 1], w2 = fws[b + 2], w3 = fws[b + 3], w4 = fws[b + 4];
      const w5 = fws[b + 5], w6 = fws[b + 6], w7 = fws[b + 7];
      const t0 = (w0 + w4) * S8 + 128.5, t1 = (w0 - w4) * S8 + 128.5;
      const z1 = (w2 + w6) * G0_541, t2 = z1 - w6 * G1_847, t3 = z1 + w2 * G0_765;
      const e0 = t0 + t3, e3 = t0 - t3, e1 = t1 + t2, e2 = t1 - t2;
      const z5 = (w7 + w5 + w3 + w1) * G1_175;
      const za = (w7 + w1) * G0_899, zb = (w5 + w3) * G2_562;
      const zc = z5 - (w7 + w3) * G1_961, zd = z5 - (w5 + w1) * G0_390;
      const o0 = w7 * G0_298 - za + zc, o1 = w5 * G2_053 - zb + zd;
      const o2 = w3 * G3_072 - zb + zc, o3 = w1 * G1_501 - za + zd;
      out[off] = px(e0 + o3); out[off + 7] = px(e0 - o3); out[off + 1] = px(e1 + o2); out[off + 6] = px(e1 - o2);
      out[off + 2] = px(e2 + o1); out[off + 5] = px(e2 - o1); out[off + 3] = px(e3 + o0); out[off + 4] = px(e3 - o0);
    }
  }
}

/** W2 holds, per coefficient p, its weights on the four outputs of the 1/4-scale transform. */
const W2 = new Float64Array(64 * 4);
for (let p = 0; p < 64; p++) {
  for (let j = 0; j < 4; j++) W2[p * 4 + j] = M2[(j >> 1) * 8 + (p >> 3)] * M2[(j & 1) * 8 + (p & 7)];
}

/** SPARSE2_MAX is the most non-zero AC terms for which per-coefficient accumulation beats the separable pass. */
const SPARSE2_MAX = 6;

/** idct2 produces 2x2 samples (scale 1/4): each the mean of a 4x4 square of the full-size block. */
export function idct2(blk: Int32Array, out: Uint8Array, off: number, stride: number, nz: Int32Array, nnz: number): void {
  if (nnz > SPARSE2_MAX) {
    idctBox2(blk, out, off, stride);
    return;
  }
  const dc = blk[0] * W2[0] + 128.5;
  let a0 = dc, a1 = dc, a2 = dc, a3 = dc;
  for (let i = 0; i < nnz; i++) {
    const p = nz[i];
    const v = blk[p];
    const w = p * 4;
    a0 += v * W2[w];
    a1 += v * W2[w + 1];
    a2 += v * W2[w + 2];
    a3 += v * W2[w + 3];
  }
  out[off] = px(a0);
  out[off + 1] = px(a1);
  out[off + stride] = px(a2);
  out[off + stride + 1] = px(a3);
}

/** idctBox2 is the dense 1/4-scale transform: the five surviving columns, then the two rows. */
function idctBox2(blk: Int32Array, out: Uint8Array, off: number, stride: number): void {
  let e = Q0 * blk[0], o = Q1 * blk[8] + Q3 * blk[24] + Q5 * blk[40] + Q7 * blk[56];
  const t0 = e + o, b0 = e - o;
  e = Q0 * blk[1]; o = Q1 * blk[9] + Q3 * blk[25] + Q5 * blk[41] + Q7 * blk[57];
  const t1 = e + o, b1 = e - o;
  e = Q0 * blk[3]; o = Q1 * blk[11] + Q3 * blk[27] + Q5 * blk[43] + Q7 * blk[59];
  const t3 = e + o, b3 = e - o;
  e = Q0 * blk[5]; o = Q1 * blk[13] + Q3 * blk[29] + Q5 * blk[45] + Q7 * blk[61];
  const t5 = e + o, b5 = e - o;
  e = Q0 * blk[7]; o = Q1 * blk[15] + Q3 * blk[31] + Q5 * blk[47] + Q7 * blk[63];
  const t7 = e + o, b7 = e - o;
  e = Q0 * t0 + 128.5; o = Q1 * t1 + Q3 * t3 + Q5 * t5 + Q7 * t7;
  out[off] = px(e + o);
  out[off + 1] = px(e - o);
  e = Q0 * b0 + 128.5; o = Q1 * b1 + Q3 * b3 + Q5 * b5 + Q7 * b7;
  out[off + stride] = px(e + o);
  out[off + stride + 1] = px(e - o);
}

/** idct1 produces the single sample (scale 1/8): the block's mean, from the DC coefficient alone. */
export function idct1(blk: Int32Array, out: Uint8Array, off: number): void {
  out[off] = clamp(((blk[0] + 4) >> 3) + 128);
}

/**
 * IDCT_WASM_CONSTS is the constant table of the WebAssembly twin of these transforms (huffman.wat,
 * written by .ci/gen-idct-wat.mjs): K0 K2 K6 P01 P03 P05 P07 P11 P13 P15 P17 Q0 Q1 Q3 Q5 Q7, then
 * S4 (320 values) and W2 (256). The module reads the very doubles computed here, so both give the
 * same samples.
 */
export const IDCT_WASM_CONSTS = Float64Array.from([K0, K2, K6, P01, P03, P05, P07, P11, P13, P15, P17, Q0, Q1, Q3, Q5, Q7, ...S4, ...W2]);
