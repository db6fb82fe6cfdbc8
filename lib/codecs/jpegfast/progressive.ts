/**
 * Progressive-mode block decoders (T.81 G.1.2): DC first/refine and AC first/refine passes
 * that accumulate quantized coefficients, in natural order, into a component's coefficient array.
 */
import type { BitReader, HuffTable } from './bitreader.js';
import { ZIGZAG } from './tables.js';

/** ProgState is the per-scan state the passes share: end-of-band run and the scan parameters. */
export interface ProgState {
  eobrun: number;
  ss: number;
  se: number;
  al: number;
}

/** dcFirst decodes the first DC pass of one block; pred holds the component's DC predictor. */
export function dcFirst(br: BitReader, dc: HuffTable, coefs: Int16Array, off: number, pred: Int32Array, ci: number, al: number): void {
  const t = br.decode(dc);
  const diff = t === 0 ? 0 : br.receiveExtend(t);
  pred[ci] += diff;
  coefs[off] = pred[ci] * (1 << al);
}

/** dcRefine adds one refinement bit to a block's DC coefficient. */
export function dcRefine(br: BitReader, coefs: Int16Array, off: number, al: number): void {
  if (br.bit()) coefs[off] |= 1 << al;
}

/** acFirst decodes the first pass of a spectral band for one block. */
export function acFirst(br: BitReader, ac: HuffTable, coefs: Int16Array, off: number, st: ProgState): void {
  if (st.eobrun > 0) {
    st.eobrun--;
    return;
  }
  const se = st.se;
  const mul = 1 << st.al;
  let k = st.ss;
  while (k <= se) {
    const rs = br.decode(ac);
    const s = rs & 15;
    const r = rs >> 4;
    if (s === 0) {
      if (r < 15) {
        st.eobrun = (1 << r) - 1;
        if (r) st.eobrun += br.receive(r);
        break;
      }
      k += 16;
      continue;
    }
    k += r;
    coefs[off + ZIGZAG[k]] = br.receiveExtend(s) * mul;
    k++;
  }
}

/** acRefine decodes a refinement pass of a spectral band for one block (libjpeg's decode_mcu_AC_refine). */
export function acRefine(br: BitReader, ac: HuffTable, coefs: Int16Array, off: number, st: ProgState): void {
  const se = st.se;
  const p1 = 1 << st.al;
  const m1 = -1 << st.al;
  let k = st.ss;
  if (st.eobrun === 0) {
    for (; k <= se; k++) {
      const rs = br.decode(ac);
      let r = rs >> 4;
      let s = rs & 15;
      if (s !== 0) {
        s = br.bit() ? p1 : m1;
      } else if (r !== 15) {
        st.eobrun = 1 << r;
        if (r) st.eobrun += br.receive(r);
        break;
      }
      while (k <= se) {
        const z = off + ZIGZAG[k];
        const c = coefs[z];
        if (c !== 0) {
          if (br.bit() && (c & p1) === 0) coefs[z] = c >= 0 ? c + p1 : c + m1;
        } else {
          if (--r < 0) break;
        }
        k++;
      }
      if (s !== 0 && k <= 63) coefs[off + ZIGZAG[k]] = s;
    }
  }
  if (st.eobrun > 0) {
    for (; k <= se; k++) {
      const z = off + ZIGZAG[k];
      const c = coefs[z];
      if (c !== 0 && br.bit() && (c & p1) === 0) coefs[z] = c >= 0 ? c + p1 : c + m1;
    }
    st.eobrun--;
  }
}
