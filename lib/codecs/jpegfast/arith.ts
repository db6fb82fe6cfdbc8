/**
 * Arithmetic-coded JPEG scans (ITU-T T.81 Annex D, F.1.4 and G.1.3): the binary arithmetic
 * decoder, the statistics bins of DC and AC coding, and the sequential and progressive block
 * procedures. Coefficients land, quantized and in natural order, in each component's coefficient
 * array, which finishProgressive dequantizes and transforms, as for progressive Huffman images;
 * the Huffman paths never come here.
 */
import { UnprocessableImageError } from '../../errors.js';
import type { Component, Frame } from './scan.js';
import { ZIGZAG } from './tables.js';

/**
 * QE_TABLE is T.81 Table D.2 (plus the fixed 0.5 estimate T.81 uses for sign and refinement
 * bits, index 113): per state, Qe, the next state after an LPS, after an MPS, and whether an LPS
 * switches the sense of the MPS.
 */
const QE_TABLE = [
  0x5a1d, 1, 1, 1, 0x2586, 14, 2, 0, 0x1114, 16, 3, 0, 0x080b, 18, 4, 0, 0x03d8, 20, 5, 0, 0x01da, 23, 6, 0,
  0x00e5, 25, 7, 0, 0x006f, 28, 8, 0, 0x0036, 30, 9, 0, 0x001a, 33, 10, 0, 0x000d, 35, 11, 0, 0x0006, 9, 12, 0,
  0x0003, 10, 13, 0, 0x0001, 12, 13, 0, 0x5a7f, 15, 15, 1, 0x3f25, 36, 16, 0, 0x2cf2, 38, 17, 0, 0x207c, 39, 18, 0,
  0x17b9, 40, 19, 0, 0x1182, 42, 20, 0, 0x0cef, 43, 21, 0, 0x09a1, 45, 22, 0, 0x072f, 46, 23, 0, 0x055c, 48, 24, 0,
  0x0406, 49, 25, 0, 0x0303, 51, 26, 0, 0x0240, 52, 27, 0, 0x01b1, 54, 28, 0, 0x0144, 56, 29, 0, 0x00f5, 57, 30, 0,
  0x00b7, 59, 31, 0, 0x008a, 60, 32, 0, 0x0068, 62, 33, 0, 0x004e, 63, 34, 0, 0x003b, 32, 35, 0, 0x002c, 33, 9, 0,
  0x5ae1, 37, 37, 1, 0x484c, 64, 38, 0, 0x3a0d, 65, 39, 0, 0x2ef1, 67, 40, 0, 0x261f, 68, 41, 0, 0x1f33, 69, 42, 0,
  0x19a8, 70, 43, 0, 0x1518, 72, 44, 0, 0x1177, 73, 45, 0, 0x0e74, 74, 46, 0, 0x0bfb, 75, 47, 0, 0x09f8, 77, 48, 0,
  0x0861, 78, 49, 0, 0x0706, 79, 50, 0, 0x05cd, 48, 51, 0, 0x04de, 50, 52, 0, 0x040f, 50, 53, 0, 0x0363, 51, 54, 0,
  0x02d4, 52, 55, 0, 0x025c, 53, 56, 0, 0x01f8, 54, 57, 0, 0x01a4, 55, 58, 0, 0x0160, 56, 59, 0, 0x0125, 57, 60, 0,
  0x00f6, 58, 61, 0, 0x00cb, 59, 62, 0, 0x00ab, 61, 63, 0, 0x008f, 61, 32, 0, 0x5b12, 65, 65, 1, 0x4d04, 80, 66, 0,
  0x412c, 81, 67, 0, 0x37d8, 82, 68, 0, 0x2fe8, 83, 69, 0, 0x293c, 84, 70, 0, 0x2379, 86, 71, 0, 0x1edf, 87, 72, 0,
  0x1aa9, 87, 73, 0, 0x174e, 72, 74, 0, 0x1424, 72, 75, 0, 0x119c, 74, 76, 0, 0x0f6b, 74, 77, 0, 0x0d51, 75, 78, 0,
  0x0bb6, 77, 79, 0, 0x0a40, 77, 48, 0, 0x5832, 80, 81, 1, 0x4d1c, 88, 82, 0, 0x438e, 89, 83, 0, 0x3bdd, 90, 84, 0,
  0x34ee, 91, 85, 0, 0x2eae, 92, 86, 0, 0x299a, 93, 87, 0, 0x2516, 86, 71, 0, 0x5570, 88, 89, 1, 0x4ca9, 95, 90, 0,
  0x44d9, 96, 91, 0, 0x3e22, 97, 92, 0, 0x3824, 99, 93, 0, 0x32b4, 99, 94, 0, 0x2e17, 93, 86, 0, 0x56a8, 95, 96, 1,
  0x4f46, 101, 97, 0, 0x47e5, 102, 98, 0, 0x41cf, 103, 99, 0, 0x3c3d, 104, 100, 0, 0x375e, 99, 93, 0, 0x5231, 105, 102, 0,
  0x4c0f, 106, 103, 0, 0x4639, 107, 104, 0, 0x415e, 103, 99, 0, 0x5627, 105, 106, 1, 0x50e7, 108, 107, 0, 0x4b85, 109, 103, 0,
  0x5597, 110, 109, 0, 0x504f, 111, 107, 0, 0x5a10, 110, 111, 1, 0x5522, 112, 109, 0, 0x59eb, 112, 111, 1,
  0x5a1d, 113, 113, 0,
];
const STATES = QE_TABLE.length / 4;
const QE = new Int32Array(STATES);
/** AFTER_LPS[s] is the next state after an LPS, with bit 7 set when the MPS sense switches. */
const AFTER_LPS = new Uint8Array(STATES);
const AFTER_MPS = new Uint8Array(STATES);
for (let s = 0; s < STATES; s++) {
  QE[s] = QE_TABLE[s * 4];
  AFTER_LPS[s] = QE_TABLE[s * 4 + 1] | (QE_TABLE[s * 4 + 3] << 7);
  AFTER_MPS[s] = QE_TABLE[s * 4 + 2];
}
/** FIXED_STATE is the state of the fixed 0.5 estimate, which never adapts. */
const FIXED_STATE = 113;

/** DC_BINS and AC_BINS are the statistics bins per conditioning table (T.81 Tables F.4 and F.5). */
const DC_BINS = 64;
const AC_BINS = 256;
/** MAX_FAKE_BYTES is how many zero bytes past the data a scan may read before it counts as truncated. */
const MAX_FAKE_BYTES = 8;

/** ArithConditioning holds the DAC values per table: DC bounds L and U, AC threshold Kx. */
export interface ArithConditioning {
  dcL: Uint8Array;
  dcU: Uint8Array;
  acK: Uint8Array;
}

/** newArithConditioning returns the defaults T.81 gives when no DAC segment says otherwise. */
export function newArithConditioning(): ArithConditioning {
  return { dcL: new Uint8Array(4), dcU: new Uint8Array(4).fill(1), acK: new Uint8Array(4).fill(5) };
}

function bad(msg: string): UnprocessableImageError {
  return new UnprocessableImageError(msg);
}

/** parseDAC reads a DAC segment's conditioning values at [p, end) into t. */
export function parseDAC(b: Uint8Array, p: number, end: number, t: ArithConditioning): void {
  for (; p + 2 <= end; p += 2) {
    const tc = b[p] >> 4, tb = b[p] & 15, v = b[p + 1];
    if (tb > 3 || tc > 1) throw bad('The JPEG image has a malformed arithmetic conditioning table.');
    if (tc === 0) {
      const l = v & 15, u = v >> 4;
      if (l > u) throw bad('The JPEG image has a malformed arithmetic conditioning table.');
      t.dcL[tb] = l;
      t.dcU[tb] = u;
    } else {
      if (v < 1 || v > 63) throw bad('The JPEG image has a malformed arithmetic conditioning table.');
      t.acK[tb] = v;
    }
  }
}

/**
 * ArithDecoder is the T.81 D.2 decoder over one entropy-coded segment. Like libjpeg, it keeps the
 * code register and the unread bits in one integer whose split point moves with ct. At a marker
 * or the end of the data it supplies zero bytes, which T.81 allows at a marker.
 */
class ArithDecoder {
  c = 0;
  a = 0;
  ct = -16;
  /** Offset of the marker the decoder stopped at, or -1. */
  marker = -1;
  /** Zero bytes supplied past the end of the data (not at a marker). */
  fake = 0;

  constructor(readonly data: Uint8Array, public pos: number) {}

  /** restart starts decoding afresh, as at the start of a scan or after RSTn. */
  restart(): void {
    this.c = 0;
    this.a = 0;
    this.ct = -16;
  }

  private nextByte(): number {
    if (this.marker >= 0) return 0;
    const d = this.data;
    if (this.pos >= d.length) {
      this.fake++;
      return 0;
    }
    const v = d[this.pos++];
    if (v !== 0xff) return v;
    let p = this.pos;
    while (p < d.length && d[p] === 0xff) p++;
    if (p < d.length && d[p] === 0) {
      this.pos = p + 1;
      return 0xff;
    }
    this.marker = p - 1;
    this.pos = p - 1;
    return 0;
  }

  /** decode decodes one binary decision with the adaptive state in st[i]. */
  decode(st: Uint8Array, i: number): number {
    while (this.a < 0x8000) {
      if (--this.ct < 0) {
        this.c = (this.c << 8) | this.nextByte();
        // The first two bytes after a (re)start fill C; A becomes 0x10000 once the loop shifts it.
        if ((this.ct += 8) < 0 && ++this.ct === 0) this.a = 0x8000;
      }
      this.a <<= 1;
    }
    let sv = st[i];
    const s = sv & 0x7f;
    const qe = QE[s];
    this.a -= qe;
    const split = this.a << this.ct;
    if (this.c >= split) {
      this.c -= split;
      if (this.a < qe) {
        st[i] = (sv & 0x80) ^ AFTER_MPS[s];
      } else {
        st[i] = (sv & 0x80) ^ AFTER_LPS[s];
        sv ^= 0x80;
      }
      this.a = qe;
    } else if (this.a < 0x8000) {
      if (this.a < qe) {
        st[i] = (sv & 0x80) ^ AFTER_LPS[s];
        sv ^= 0x80;
      } else {
        st[i] = (sv & 0x80) ^ AFTER_MPS[s];
      }
    }
    return sv >> 7;
  }
}

/** ScanState is what the block procedures of one scan share. */
interface ScanState {
  d: ArithDecoder;
  t: ArithConditioning;
  dcStats: Uint8Array[];
  acStats: Uint8Array[];
  fixed: Uint8Array;
  /** Per scan component: DC prediction (16-bit, as T.81 keeps it), DC conditioning context, tables. */
  lastDc: Int32Array;
  dcContext: Int32Array;
  dcTable: Int32Array;
  acTable: Int32Array;
  ss: number;
  se: number;
  al: number;
}

const corrupt = (): UnprocessableImageError => bad('The JPEG image has corrupt arithmetic-coded data.');

/**
 * magnitude decodes |v| - 1 of a non-zero value (T.81 F.23 and F.24): the category, whose first
 * decision is bin `first` of st (read twice for AC: categories 1 and 2), the rest from bin
 * `chain` on, then the magnitude bits from 14 bins further.
 */
function magnitude(d: ArithDecoder, st: Uint8Array, first: number, chain: number, twice: boolean): number {
  let m = d.decode(st, first);
  let i = first;
  if (m !== 0 && (!twice || d.decode(st, first) !== 0)) {
    if (twice) m <<= 1;
    i = chain;
    while (d.decode(st, i)) {
      if ((m <<= 1) === 0x8000) throw corrupt();
      i++;
    }
  }
  let v = m;
  i += 14;
  while ((m >>= 1)) if (d.decode(st, i)) v |= m;
  return v;
}

/** decodeDc decodes one DC difference for scan component ci and returns the new (16-bit) prediction. */
function decodeDc(s: ScanState, ci: number): number {
  const d = s.d;
  const tbl = s.dcTable[ci];
  const st = s.dcStats[tbl];
  const base = s.dcContext[ci];
  if (d.decode(st, base) === 0) {
    s.dcContext[ci] = 0;
    return s.lastDc[ci];
  }
  const sign = d.decode(st, base + 1);
  const v = magnitude(d, st, base + 2 + sign, 20, false);
  // The next block's context: the category of this difference against the DAC bounds (F.1.4.4.1.2).
  const m = v === 0 ? 0 : 1 << (31 - Math.clz32(v));
  const lo = (1 << s.t.dcL[tbl]) >> 1, hi = (1 << s.t.dcU[tbl]) >> 1;
  s.dcContext[ci] = m < lo ? 0 : m > hi ? 12 + sign * 4 : 4 + sign * 4;
  s.lastDc[ci] = (s.lastDc[ci] + (sign ? -(v + 1) : v + 1)) & 0xffff;
  return s.lastDc[ci];
}

/** decodeAc decodes the AC coefficients ss..se of one block into coefs at off, scaled by 2^al. */
function decodeAc(s: ScanState, ci: number, coefs: Int16Array, off: number): void {
  const d = s.d;
  const tbl = s.acTable[ci];
  const st = s.acStats[tbl];
  const kx = s.t.acK[tbl];
  for (let k = s.ss; k <= s.se; k++) {
    let i = 3 * (k - 1);
    if (d.decode(st, i)) break; // end of block
    while (d.decode(st, i + 1) === 0) {
      i += 3;
      if (++k > s.se) throw corrupt();
    }
    const sign = d.decode(s.fixed, 0);
    const v = magnitude(d, st, i + 2, k <= kx ? 189 : 217, true) + 1;
    coefs[off + ZIGZAG[k]] = (sign ? -v : v) * (1 << s.al);
  }
}

/** refineAc decodes one successive-approximation refinement pass of a block's AC band (T.81 G.1.3.3). */
function refineAc(s: ScanState, ci: number, coefs: Int16Array, off: number): void {
  const d = s.d;
  const st = s.acStats[s.acTable[ci]];
  const p1 = 1 << s.al, m1 = -1 << s.al;
  // EOBx: past the last coefficient an earlier pass made non-zero, an end-of-block may follow.
  let kex = s.se;
  while (kex > 0 && coefs[off + ZIGZAG[kex]] === 0) kex--;
  for (let k = s.ss; k <= s.se; k++) {
    let i = 3 * (k - 1);
    if (k > kex && d.decode(st, i)) break;
    for (;;) {
      const z = off + ZIGZAG[k];
      if (coefs[z] !== 0) {
        if (d.decode(st, i + 2)) coefs[z] += coefs[z] < 0 ? m1 : p1;
        break;
      }
      if (d.decode(st, i + 1)) {
        coefs[z] = d.decode(s.fixed, 0) ? m1 : p1;
        break;
      }
      i += 3;
      if (++k > s.se) throw corrupt();
    }
  }
}

/** Procedure decodes one block of scan component ci at offset off of its coefficient array. */
type Procedure = (s: ScanState, ci: number, coefs: Int16Array, off: number) => void;

const SEQUENTIAL: Procedure = (s, ci, coefs, off) => {
  coefs[off] = decodeDc(s, ci);
  decodeAc(s, ci, coefs, off);
};
const DC_FIRST: Procedure = (s, ci, coefs, off) => {
  coefs[off] = decodeDc(s, ci) * (1 << s.al);
};
const DC_REFINE: Procedure = (s, _ci, coefs, off) => {
  if (s.d.decode(s.fixed, 0)) coefs[off] |= 1 << s.al;
};

/**
 * decodeArithScan decodes one arithmetic-coded scan whose header is at [p, end) into the
 * components' coefficient arrays, and returns the offset where its entropy-coded data ends
 * (the marker that follows it). It throws UnprocessableImageError for a malformed header,
 * corrupt data, or data that ends before the scan does.
 */
export function decodeArithScan(b: Uint8Array, p: number, end: number, f: Frame, t: ArithConditioning, ri: number): number {
  const ns = b[p];
  if (ns < 1 || ns > 4 || end - p < 1 + ns * 2 + 3) throw bad('The JPEG image has a malformed scan header.');
  const sc: Component[] = [];
  const dcTable = new Int32Array(ns), acTable = new Int32Array(ns);
  for (let i = 0; i < ns; i++) {
    const c = f.comps.find((x) => x.id === b[p + 1 + i * 2]);
    dcTable[i] = b[p + 2 + i * 2] >> 4;
    acTable[i] = b[p + 2 + i * 2] & 15;
    if (!c || !c.coefs || dcTable[i] > 3 || acTable[i] > 3) throw bad('The JPEG image has a malformed scan header.');
    sc.push(c);
  }
  const q = p + 1 + ns * 2;
  const ss = b[q], se = b[q + 1], ah = b[q + 2] >> 4, al = b[q + 2] & 15;
  let proc: Procedure = SEQUENTIAL;
  if (f.progressive) {
    if (ss > se || se > 63 || al > 13 || (ss === 0 && se !== 0) || (ss !== 0 && ns !== 1)) {
      throw bad('The JPEG image has a malformed scan header.');
    }
    proc = ss === 0 ? (ah === 0 ? DC_FIRST : DC_REFINE) : ah === 0 ? decodeAc : refineAc;
  }
  const resetDc = !f.progressive || (ss === 0 && ah === 0);
  const resetAc = !f.progressive || ss !== 0;
  const s: ScanState = {
    d: new ArithDecoder(b, end), t,
    dcStats: Array.from({ length: 4 }, () => new Uint8Array(DC_BINS)),
    acStats: Array.from({ length: 4 }, () => new Uint8Array(AC_BINS)),
    fixed: Uint8Array.of(FIXED_STATE),
    lastDc: new Int32Array(ns), dcContext: new Int32Array(ns), dcTable, acTable,
    ss: f.progressive ? ss : 1, se: f.progressive ? se : 63, al: f.progressive ? al : 0,
  };
  /** reset clears the statistics and predictions this scan adapts (at its start and at each restart). */
  const reset = (): void => {
    for (let i = 0; i < ns; i++) {
      if (resetDc) s.dcStats[dcTable[i]].fill(0);
      if (resetAc) s.acStats[acTable[i]].fill(0);
    }
    s.lastDc.fill(0);
    s.dcContext.fill(0);
    s.d.restart();
  };
  reset();
  const single = ns === 1;
  const total = single ? sc[0].bw * sc[0].bh : f.mcusX * f.mcusY;
  let untilRestart = ri;
  for (let m = 0; m < total; m++) {
    if (ri > 0) {
      if (untilRestart === 0) {
        skipRestartMarker(s.d);
        reset();
        untilRestart = ri;
      }
      untilRestart--;
    }
    if (single) {
      const c = sc[0];
      const row = (m / c.bw) | 0;
      proc(s, 0, c.coefs!, (row * c.bwp + (m - row * c.bw)) * 64);
    } else {
      const my = (m / f.mcusX) | 0;
      const mx = m - my * f.mcusX;
      for (let i = 0; i < ns; i++) {
        const c = sc[i];
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) proc(s, i, c.coefs!, ((my * c.v + v) * c.bwp + mx * c.h + h) * 64);
        }
      }
    }
    if (s.d.fake > MAX_FAKE_BYTES) throw bad('The JPEG image is truncated.');
  }
  return s.d.marker >= 0 ? s.d.marker : s.d.pos;
}

/** skipRestartMarker moves the decoder past the RSTn marker ending a restart interval. */
function skipRestartMarker(d: ArithDecoder): void {
  const data = d.data;
  let p = d.marker >= 0 ? d.marker : d.pos;
  // Skip stray bytes (corrupt data) up to the next marker, as libjpeg's next_marker does.
  while (p + 1 < data.length && !(data[p] === 0xff && data[p + 1] !== 0 && data[p + 1] !== 0xff)) p++;
  if (p + 1 < data.length && data[p + 1] >= 0xd0 && data[p + 1] <= 0xd7) {
    d.pos = p + 2;
    d.marker = -1;
  } else {
    // Not a restart marker: leave it for the frame parser and decode the rest from zero bytes.
    d.pos = p;
    d.marker = p < data.length ? p : -1;
  }
}
