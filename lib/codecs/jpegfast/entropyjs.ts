/**
 * The JavaScript twin of the encoder's entropy stage (encwasm.ts is the WebAssembly one): Huffman
 * symbol counts and bit writing of quantized zig-zag blocks.
 */
import type { BitWriter, EncTable } from './huffenc.js';
import type { Entropy } from './encwasm.js';

/** BlockLayout says which component each block of an MCU belongs to. */
export interface BlockLayout {
  /** component (0 Y, 1 Cb, 2 Cr) of each block of an MCU, in stream order. */
  compOf: number[];
  mcus: number;
  ncomp: number;
}


function nbitsOf(v: number): number {
  return v === 0 ? 0 : 32 - Math.clz32(v < 0 ? -v : v);
}

/** gather counts DC and AC symbols per table class (0 luma, 1 chroma). */
function gather(coefs: Int16Array, layout: BlockLayout, last: Uint8Array): { dc: Uint32Array[]; ac: Uint32Array[] } {
  const dc = [new Uint32Array(256), new Uint32Array(256)];
  const ac = [new Uint32Array(256), new Uint32Array(256)];
  const pred = [0, 0, 0];
  const { compOf, mcus } = layout;
  let off = 0;
  let blockNo = 0;
  for (let m = 0; m < mcus; m++) {
    for (let b = 0; b < compOf.length; b++, off += 64, blockNo++) {
      const c = compOf[b];
      const cls = c === 0 ? 0 : 1;
      const end = last[blockNo];
      dc[cls][nbitsOf(coefs[off] - pred[c])]++;
      pred[c] = coefs[off];
      const acf = ac[cls];
      let run = 0;
      for (let k = 1; k <= end; k++) {
        const v = coefs[off + k];
        if (v === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          acf[0xf0]++;
          run -= 16;
        }
        acf[(run << 4) | nbitsOf(v)]++;
        run = 0;
      }
      if (end < 63) acf[0]++;
    }
  }
  return { dc, ac };
}

/**
 * emit writes the entropy-coded data code by code through BitWriter.put: the JavaScript twin is
 * the fallback of hosts without WebAssembly, so it is written to be read, not to be fast.
 */
function emit(coefs: Int16Array, layout: BlockLayout, last: Uint8Array, dcT: EncTable[], acT: EncTable[], bw: BitWriter): void {
  const pred = [0, 0, 0];
  const { compOf, mcus } = layout;
  let off = 0;
  let blockNo = 0;
  for (let m = 0; m < mcus; m++) {
    for (let b = 0; b < compOf.length; b++, off += 64, blockNo++) {
      const c = compOf[b];
      const dc = dcT[c === 0 ? 0 : 1], ac = acT[c === 0 ? 0 : 1];
      const diff = coefs[off] - pred[c];
      pred[c] = coefs[off];
      putValue(bw, dc, nbitsOf(diff), diff);
      const end = last[blockNo];
      let run = 0;
      for (let k = 1; k <= end; k++) {
        const v = coefs[off + k];
        if (v === 0) {
          run++;
          continue;
        }
        for (; run > 15; run -= 16) bw.put(ac.code[0xf0], ac.size[0xf0]);
        const n = nbitsOf(v);
        putValue(bw, ac, (run << 4) | n, v);
        run = 0;
      }
      if (end < 63) bw.put(ac.code[0], ac.size[0]);
    }
  }
  bw.flush();
}

/** putValue writes symbol sym of table t, then the low (sym & 15) bits of v in JPEG's one's-complement form for negatives. */
function putValue(bw: BitWriter, t: EncTable, sym: number, v: number): void {
  bw.put(t.code[sym], t.size[sym]);
  const n = sym & 15;
  if (n > 0) bw.put(v < 0 ? v - 1 : v, n);
}

/** jsEntropy is the Entropy of quantized blocks in JavaScript (last: each block's last non-zero index). */
export function jsEntropy(coefs: Int16Array, layout: BlockLayout, last: Uint8Array): Entropy {
  return {
    counts: () => gather(coefs, layout, last),
    emit: (bw, dcT, acT) => emit(coefs, layout, last, dcT, acT, bw),
  };
}
