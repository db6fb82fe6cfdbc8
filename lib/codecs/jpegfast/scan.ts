/**
 * Scan decoding for the fast JPEG decoder: walks the MCUs of one scan (interleaved or not, with
 * restart intervals), decoding baseline blocks straight into the component planes and
 * progressive passes into coefficient arrays that finishProgressive transforms at the end.
 */
import { UnprocessableImageError } from '../../errors.js';
import { BitReader, LOOKAHEAD, LOOK_MASK, type HuffTable } from './bitreader.js';
import { blk, nz, storeBlock } from './store.js';
import { decodeBaselineWasm, wasmEntropyReady } from './huffwasm.js';
import { acFirst, acRefine, dcFirst, dcRefine, type ProgState } from './progressive.js';
import { ZIGZAG } from './tables.js';

/** MAX_FAKE_BYTES is how many zero bytes past the data a scan may consume before it counts as truncated. */
const MAX_FAKE_BYTES = 16;
/** Component is one colour component of a frame and where its samples go. */
export interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** blocks per line / column of the component itself (non-interleaved scans). */
  bw: number;
  bh: number;
  /** blocks per line / column including MCU padding (interleaved scans). */
  bwp: number;
  bhp: number;
  plane: Uint8Array;
  stride: number;
  /** bsx x bsy is the size each block becomes (8 / the component's own scale per axis). */
  bsx: number;
  bsy: number;
  /** expandedX/Y are true when the block size already undoes the subsampling on that axis. */
  expandedX: boolean;
  expandedY: boolean;
  coefs: Int16Array | null;
  /** quantization table in zig-zag order (80 entries: see ZIGZAG). */
  qz: Int32Array;
  dc: HuffTable | null;
  ac: HuffTable | null;
}

/** Frame is the parsed frame header plus the MCU geometry. */
export interface Frame {
  progressive: boolean;
  /** Arithmetic-coded (SOF9, SOF10): scans go to arith.ts, coefficients are kept as in progressive mode. */
  arithmetic?: boolean;
  width: number;
  height: number;
  comps: Component[];
  hmax: number;
  vmax: number;
  mcusX: number;
  mcusY: number;
}

function bad(msg: string): UnprocessableImageError {
  return new UnprocessableImageError(msg);
}


/**
 * decodeScan decodes one scan whose header is at [start, end). It returns the offset just after
 * the scan's entropy-coded data, or -1 when the caller should fall back to another decoder.
 */
export function decodeScan(
  b: Uint8Array, p: number, end: number, f: Frame, qts: (Uint16Array | null)[],
  dcts: (HuffTable | null)[], acts: (HuffTable | null)[], ri: number,
): number {
  const ns = b[p];
  if (ns < 1 || ns > 4 || end - p < 1 + ns * 2 + 3) throw bad('The JPEG image has a malformed scan header.');
  const sc: Component[] = [];
  for (let i = 0; i < ns; i++) {
    const id = b[p + 1 + i * 2];
    const td = b[p + 2 + i * 2] >> 4;
    const ta = b[p + 2 + i * 2] & 15;
    const c = f.comps.find((x) => x.id === id);
    if (!c || td > 3 || ta > 3) throw bad('The JPEG image has a malformed scan header.');
    c.dc = dcts[td];
    c.ac = acts[ta];
    sc.push(c);
  }
  const q = p + 1 + ns * 2;
  const ss = b[q], se = b[q + 1], ah = b[q + 2] >> 4, al = b[q + 2] & 15;
  const prog = f.progressive;
  let mode: number; // 0 baseline, 1 DC first, 2 DC refine, 3 AC first, 4 AC refine
  if (!prog) {
    mode = 0;
  } else {
    if (ss > se || se > 63 || al > 13 || (ss === 0 && se !== 0) || (ss !== 0 && ns !== 1)) {
      throw bad('The JPEG image has a malformed scan header.');
    }
    mode = ss === 0 ? (ah === 0 ? 1 : 2) : ah === 0 ? 3 : 4;
  }
  for (const c of sc) {
    if ((mode === 0 || mode === 1) && !c.dc) throw bad('The JPEG image lacks a Huffman table.');
    if ((mode === 0 || mode >= 3) && !c.ac) throw bad('The JPEG image lacks a Huffman table.');
    if (mode === 0) {
      const t = qts[c.tq];
      if (!t) throw bad('The JPEG image lacks a quantization table.');
      for (let k = 0; k < 64; k++) c.qz[k] = t[ZIGZAG[k]];
    }
  }
  // blk is shared: a previous decode that threw may have left coefficients in it.
  blk.fill(0);
  if (mode === 0 && wasmEntropyReady()) return decodeBaselineWasm(b, end, f, sc, ri);
  const br = new BitReader(b, end);
  const pred = new Int32Array(ns);
  const st: ProgState = { eobrun: 0, ss, se, al };
  const single = ns === 1;
  const total = single ? sc[0].bw * sc[0].bh : f.mcusX * f.mcusY;
  let untilRestart = ri;
  for (let m = 0; m < total; m++) {
    if (ri > 0) {
      if (untilRestart === 0) {
        restart(br);
        pred.fill(0);
        st.eobrun = 0;
        untilRestart = ri;
      }
      untilRestart--;
    }
    if (single) {
      const c = sc[0];
      const row = (m / c.bw) | 0;
      const col = m - row * c.bw;
      decodeBlock(br, c, mode, row, col, pred, 0, st);
    } else {
      const my = (m / f.mcusX) | 0;
      const mx = m - my * f.mcusX;
      for (let i = 0; i < ns; i++) {
        const c = sc[i];
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) decodeBlock(br, c, mode, my * c.v + v, mx * c.h + h, pred, i, st);
        }
      }
    }
    if (br.fake > MAX_FAKE_BYTES) {
      if (br.atEnd()) throw bad('The JPEG image is truncated.');
      return -1;
    }
  }
  if (br.overrun() && br.atEnd() && br.fake * 8 - br.cnt > 64) throw bad('The JPEG image is truncated.');
  return br.pos;
}

/** restart skips to just past the next RSTn marker and resets the bit buffer. */
function restart(br: BitReader): void {
  br.reset();
  const d = br.data;
  let p = br.pos;
  // Skip stray bytes (corrupt data) but never past a marker other than RSTn.
  while (p + 1 < d.length) {
    if (d[p] === 0xff) {
      const n = d[p + 1];
      if (n >= 0xd0 && n <= 0xd7) {
        p += 2;
        break;
      }
      if (n !== 0 && n !== 0xff) break;
    }
    p++;
  }
  br.pos = p;
}

function decodeBlock(
  br: BitReader, c: Component, mode: number, row: number, col: number, pred: Int32Array, ci: number,
  st: ProgState,
): void {
  if (mode !== 0) {
    const coefs = c.coefs!;
    const off = (row * c.bwp + col) * 64;
    if (mode === 1) dcFirst(br, c.dc!, coefs, off, pred, ci, st.al);
    else if (mode === 2) dcRefine(br, coefs, off, st.al);
    else if (mode === 3) acFirst(br, c.ac!, coefs, off, st);
    else acRefine(br, c.ac!, coefs, off, st);
    return;
  }
  // Baseline: decode, dequantize and transform straight into the plane.
  const q = c.qz;
  const t = br.decode(c.dc!);
  if (t !== 0) pred[ci] += br.receiveExtend(t);
  blk[0] = pred[ci] * q[0];
  const ac = c.ac!;
  const fast = ac.fastAC;
  let k = 1;
  if (c.bsx === 1 && c.bsy === 1) {
    // At 1/8 only the DC term is used: step over the AC codes without storing anything.
    while (k < 64) {
      if (br.cnt < 16) br.fill();
      const f = fast[(br.buf >>> (br.cnt - LOOKAHEAD)) & LOOK_MASK];
      if (f !== 0) {
        k += ((f >> 4) & 15) + 1;
        br.cnt -= f & 15;
        continue;
      }
      const rs = br.decode(ac);
      const s = rs & 15;
      if (s === 0) {
        if (rs >> 4 < 15) break;
        k += 16;
        continue;
      }
      k += (rs >> 4) + 1;
      br.receive(s);
    }
    if (row < c.bhp && col < c.bwp) storeBlock(c, row, col, 0);
    return;
  }
  let n = 0;
  // The bit buffer lives in locals on the fast path and goes back to br around slow calls.
  let buf = br.buf, cnt = br.cnt;
  while (k < 64) {
    if (cnt < 16) {
      br.cnt = cnt;
      br.fill();
      buf = br.buf;
      cnt = br.cnt;
    }
    const f = fast[(buf >>> (cnt - LOOKAHEAD)) & LOOK_MASK];
    if (f !== 0) {
      k += (f >> 4) & 15;
      cnt -= f & 15;
      const z = ZIGZAG[k];
      blk[z] = (f >> 8) * q[k];
      nz[n++] = z;
      k++;
      continue;
    }
    br.cnt = cnt;
    const rs = br.decode(ac);
    const s = rs & 15;
    const r = rs >> 4;
    if (s === 0) {
      cnt = br.cnt;
      buf = br.buf;
      if (r < 15) break;
      k += 16;
      continue;
    }
    k += r;
    const z = ZIGZAG[k];
    blk[z] = br.receiveExtend(s) * q[k];
    buf = br.buf;
    cnt = br.cnt;
    nz[n++] = z;
    k++;
  }
  br.cnt = cnt;
  if (row < c.bhp && col < c.bwp) storeBlock(c, row, col, n);
  for (let i = 0; i < n; i++) blk[nz[i]] = 0;
}

/** finishProgressive dequantizes and transforms every block of a progressive frame into its plane. */
export function finishProgressive(f: Frame, qts: (Uint16Array | null)[]): void {
  for (const c of f.comps) {
    const q = qts[c.tq];
    if (!q) throw bad('The JPEG image lacks a quantization table.');
    const coefs = c.coefs!;
    for (let row = 0; row < c.bhp; row++) {
      for (let col = 0; col < c.bwp; col++) {
        const base = (row * c.bwp + col) * 64;
        let n = 0;
        blk[0] = coefs[base] * q[0];
        for (let i = 1; i < 64; i++) {
          const v = coefs[base + i];
          blk[i] = v * q[i];
          if (v !== 0) nz[n++] = i;
        }
        storeBlock(c, row, col, n);
      }
    }
  }
  blk.fill(0);
}
