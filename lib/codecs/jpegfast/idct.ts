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

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** idct8 transforms one block into 8x8 samples at out[off], rows stride bytes apart. */
export function idct8(blk: Int32Array, out: Uint8Array, off: number, stride: number): void {
  // Pass 1: columns into ws, scaled up by PASS1_BITS.
  for (let c = 0; c < 8; c++) {
    const i1 = blk[8 + c], i2 = blk[16 + c], i3 = blk[24 + c], i4 = blk[32 + c];
    const i5 = blk[40 + c], i6 = blk[48 + c], i7 = blk[56 + c];
    if ((i1 | i2 | i3 | i4 | i5 | i6 | i7) === 0) {
      const dc = blk[c] << PASS1_BITS;
      ws[c] = dc; ws[8 + c] = dc; ws[16 + c] = dc; ws[24 + c] = dc;
      ws[32 + c] = dc; ws[40 + c] = dc; ws[48 + c] = dc; ws[56 + c] = dc;
      continue;
    }
    let z1 = (i2 + i6) * F0_541;
    let tmp2 = z1 - i6 * F1_847;
    let tmp3 = z1 + i2 * F0_765;
    let tmp0 = (blk[c] + i4) << CONST_BITS;
    let tmp1 = (blk[c] - i4) << CONST_BITS;
    const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
    tmp0 = i7; tmp1 = i5; tmp2 = i3; tmp3 = i1;
    z1 = tmp0 + tmp3;
    let z2 = tmp1 + tmp2;
    let z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1_175;
    tmp0 *= F0_298; tmp1 *= F2_053; tmp2 *= F3_072; tmp3 *= F1_501;
    z1 *= -F0_899; z2 *= -F2_562; z3 *= -F1_961; z4 *= -F0_390;
    z3 += z5; z4 += z5;
    tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4;
    const r = 1 << (CONST_BITS - PASS1_BITS - 1);
    const sh = CONST_BITS - PASS1_BITS;
    ws[c] = (tmp10 + tmp3 + r) >> sh;
    ws[56 + c] = (tmp10 - tmp3 + r) >> sh;
    ws[8 + c] = (tmp11 + tmp2 + r) >> sh;
    ws[48 + c] = (tmp11 - tmp2 + r) >> sh;
    ws[16 + c] = (tmp12 + tmp1 + r) >> sh;
    ws[40 + c] = (tmp12 - tmp1 + r) >> sh;
    ws[24 + c] = (tmp13 + tmp0 + r) >> sh;
    ws[32 + c] = (tmp13 - tmp0 + r) >> sh;
  }
  // Pass 2: rows, descaled by PASS1_BITS + 3 and level-shifted.
  const sh = CONST_BITS + PASS1_BITS + 3;
  const r = (1 << (sh - 1)) + (128 << sh);
  for (let row = 0; row < 8; row++, off += stride) {
    const b = row * 8;
    const i1 = ws[b + 1], i2 = ws[b + 2], i3 = ws[b + 3], i4 = ws[b + 4];
    const i5 = ws[b + 5], i6 = ws[b + 6], i7 = ws[b + 7];
    if ((i1 | i2 | i3 | i4 | i5 | i6 | i7) === 0) {
      const v = clamp((ws[b] + (1 << (PASS1_BITS + 2)) + (128 << (PASS1_BITS + 3))) >> (PASS1_BITS + 3));
      out[off] = v; out[off + 1] = v; out[off + 2] = v; out[off + 3] = v;
      out[off + 4] = v; out[off + 5] = v; out[off + 6] = v; out[off + 7] = v;
      continue;
    }
    let z1 = (i2 + i6) * F0_541;
    let tmp2 = z1 - i6 * F1_847;
    let tmp3 = z1 + i2 * F0_765;
    let tmp0 = (ws[b] + i4) << CONST_BITS;
    let tmp1 = (ws[b] - i4) << CONST_BITS;
    const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
    tmp0 = i7; tmp1 = i5; tmp2 = i3; tmp3 = i1;
    z1 = tmp0 + tmp3;
    let z2 = tmp1 + tmp2;
    let z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1_175;
    tmp0 *= F0_298; tmp1 *= F2_053; tmp2 *= F3_072; tmp3 *= F1_501;
    z1 *= -F0_899; z2 *= -F2_562; z3 *= -F1_961; z4 *= -F0_390;
    z3 += z5; z4 += z5;
    tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4;
    out[off] = clamp((tmp10 + tmp3 + r) >> sh);
    out[off + 7] = clamp((tmp10 - tmp3 + r) >> sh);
    out[off + 1] = clamp((tmp11 + tmp2 + r) >> sh);
    out[off + 6] = clamp((tmp11 - tmp2 + r) >> sh);
    out[off + 2] = clamp((tmp12 + tmp1 + r) >> sh);
    out[off + 5] = clamp((tmp12 - tmp1 + r) >> sh);
    out[off + 3] = clamp((tmp13 + tmp0 + r) >> sh);
    out[off + 4] = clamp((tmp13 - tmp0 + r) >> sh);
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

function idctBox(blk: Int32Array, out: Uint8Array, off: number, stride: number, m: Float64Array, n: number): void {
  for (let u = 0; u < 8; u++) {
    const c0 = blk[u], c1 = blk[8 + u], c2 = blk[16 + u], c3 = blk[24 + u];
    const c4 = blk[32 + u], c5 = blk[40 + u], c6 = blk[48 + u], c7 = blk[56 + u];
    if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) === 0) {
      for (let y = 0; y < n; y++) fws[y * 8 + u] = 0;
      continue;
    }
    for (let y = 0; y < n; y++) {
      const r = y * 8;
      fws[r + u] = m[r] * c0 + m[r + 1] * c1 + m[r + 2] * c2 + m[r + 3] * c3 +
        m[r + 4] * c4 + m[r + 5] * c5 + m[r + 6] * c6 + m[r + 7] * c7;
    }
  }
  for (let y = 0; y < n; y++, off += stride) {
    const b = y * 8;
    const w0 = fws[b], w1 = fws[b + 1], w2 = fws[b + 2], w3 = fws[b + 3];
    const w4 = fws[b + 4], w5 = fws[b + 5], w6 = fws[b + 6], w7 = fws[b + 7];
    for (let x = 0; x < n; x++) {
      const r = x * 8;
      const v = Math.round(m[r] * w0 + m[r + 1] * w1 + m[r + 2] * w2 + m[r + 3] * w3 +
        m[r + 4] * w4 + m[r + 5] * w5 + m[r + 6] * w6 + m[r + 7] * w7 + 128);
      out[off + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}

const BOX: Float64Array[] = [];
BOX[1] = boxMatrix(1);
BOX[2] = M2;
BOX[4] = M4;
BOX[8] = boxMatrix(8);

/**
 * idctRect produces nx x ny samples (each of 1, 2, 4 or 8) for components whose horizontal and
 * vertical reduction differ, e.g. 4:2:2 chroma decoded straight at the luma resolution.
 */
export function idctRect(blk: Int32Array, out: Uint8Array, off: number, stride: number, nx: number, ny: number): void {
  const mv = BOX[ny];
  const mh = BOX[nx];
  for (let u = 0; u < 8; u++) {
    const c0 = blk[u], c1 = blk[8 + u], c2 = blk[16 + u], c3 = blk[24 + u];
    const c4 = blk[32 + u], c5 = blk[40 + u], c6 = blk[48 + u], c7 = blk[56 + u];
    for (let y = 0; y < ny; y++) {
      const r = y * 8;
      fws[r + u] = mv[r] * c0 + mv[r + 1] * c1 + mv[r + 2] * c2 + mv[r + 3] * c3 +
        mv[r + 4] * c4 + mv[r + 5] * c5 + mv[r + 6] * c6 + mv[r + 7] * c7;
    }
  }
  for (let y = 0; y < ny; y++, off += stride) {
    const b = y * 8;
    for (let x = 0; x < nx; x++) {
      const r = x * 8;
      let v = 128;
      for (let u = 0; u < 8; u++) v += mh[r + u] * fws[b + u];
      v = Math.round(v);
      out[off + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}

/** sparseWeights returns w[p*n*n + y*n + x]: the contribution of coefficient p to output (x, y). */
function sparseWeights(m: Float64Array, n: number): Float64Array {
  const w = new Float64Array(64 * n * n);
  for (let p = 0; p < 64; p++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) w[p * n * n + y * n + x] = m[y * 8 + (p >> 3)] * m[x * 8 + (p & 7)];
    }
  }
  return w;
}

const W4 = sparseWeights(M4, 4);
const W2 = sparseWeights(M2, 2);
const acc16 = new Float64Array(16);

/**
 * idct4 produces 4x4 samples (scale 1/2): each the mean of a 2x2 square of the full-size block.
 * nz lists the positions of the nnz non-zero AC coefficients; few of them take a sparse path.
 */
export function idct4(blk: Int32Array, out: Uint8Array, off: number, stride: number, nz: Int32Array, nnz: number): void {
  if (nnz > 6) {
    idctBox(blk, out, off, stride, M4, 4);
    return;
  }
  const dc = blk[0] * W4[0] + 128;
  acc16.fill(dc);
  for (let i = 0; i < nnz; i++) {
    const p = nz[i];
    const v = blk[p];
    const w = p * 16;
    for (let j = 0; j < 16; j++) acc16[j] += v * W4[w + j];
  }
  for (let y = 0, j = 0; y < 4; y++, off += stride) {
    for (let x = 0; x < 4; x++, j++) {
      const v = Math.round(acc16[j]);
      out[off + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}

/** idct2 produces 2x2 samples (scale 1/4): each the mean of a 4x4 square of the full-size block. */
export function idct2(blk: Int32Array, out: Uint8Array, off: number, stride: number, nz: Int32Array, nnz: number): void {
  const dc = blk[0] * W2[0] + 128;
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
  out[off] = clamp(Math.round(a0));
  out[off + 1] = clamp(Math.round(a1));
  out[off + stride] = clamp(Math.round(a2));
  out[off + stride + 1] = clamp(Math.round(a3));
}

/** idct1 produces the single sample (scale 1/8): the block's mean, from the DC coefficient alone. */
export function idct1(blk: Int32Array, out: Uint8Array, off: number): void {
  out[off] = clamp(((blk[0] + 4) >> 3) + 128);
}
