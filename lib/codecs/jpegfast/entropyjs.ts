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

/** EMIT_BLOCK_BYTES bounds what one block can add: 64 codes of at most 16 + 11 bits, each byte possibly stuffed. */
const EMIT_BLOCK_BYTES = 512;

/**
 * emit writes the entropy-coded data. It keeps the bit writer's state in locals and writes each
 * code together with its magnitude bits when they fit 24 bits, which is the same bitstream as
 * BitWriter.put code by code.
 */
function emit(coefs: Int16Array, layout: BlockLayout, last: Uint8Array, dcT: EncTable[], acT: EncTable[], bw: BitWriter): void {
  const pred = [0, 0, 0];
  const { compOf, mcus } = layout;
  const nb = compOf.length;
  const dcCode = [dcT[0].code, dcT[1].code], dcSize = [dcT[0].size, dcT[1].size];
  const acCode = [acT[0].code, acT[1].code], acSize = [acT[0].size, acT[1].size];
  let buf = bw.buf;
  let len = bw.len;
  let acc = bw.acc;
  let cnt = bw.cnt;
  let off = 0;
  let blockNo = 0;
  for (let m = 0; m < mcus; m++) {
    for (let b = 0; b < nb; b++, off += 64, blockNo++) {
      if (len + EMIT_BLOCK_BYTES > buf.length) {
        bw.len = len;
        bw.grow(EMIT_BLOCK_BYTES);
        buf = bw.buf;
      }
      const c = compOf[b];
      const cls = c === 0 ? 0 : 1;
      const acc_ = acCode[cls], acs = acSize[cls];
      const diff = coefs[off] - pred[c];
      pred[c] = coefs[off];
      let n = diff === 0 ? 0 : 32 - Math.clz32(diff < 0 ? -diff : diff);
      // DC: code (<= 16 bits) then n (<= 11) magnitude bits, written as one or two runs.
      let sz = dcSize[cls][n];
      let bits = dcCode[cls][n];
      if (sz + n <= 24) {
        bits = (bits << n) | ((diff < 0 ? diff - 1 : diff) & ((1 << n) - 1));
        sz += n;
      } else {
        acc = (acc << sz) | bits;
        cnt += sz;
        while (cnt >= 8) {
          cnt -= 8;
          const byte = (acc >>> cnt) & 255;
          buf[len++] = byte;
          if (byte === 0xff) buf[len++] = 0;
        }
        acc &= (1 << cnt) - 1;
        bits = (diff < 0 ? diff - 1 : diff) & ((1 << n) - 1);
        sz = n;
      }
      acc = (acc << sz) | bits;
      cnt += sz;
      while (cnt >= 8) {
        cnt -= 8;
        const byte = (acc >>> cnt) & 255;
        buf[len++] = byte;
        if (byte === 0xff) buf[len++] = 0;
      }
      acc &= (1 << cnt) - 1;
      const end = last[blockNo];
      let run = 0;
      for (let k = 1; k <= end; k++) {
        const v = coefs[off + k];
        if (v === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          acc = (acc << acs[0xf0]) | acc_[0xf0];
          cnt += acs[0xf0];
          while (cnt >= 8) {
            cnt -= 8;
            const byte = (acc >>> cnt) & 255;
            buf[len++] = byte;
            if (byte === 0xff) buf[len++] = 0;
          }
          acc &= (1 << cnt) - 1;
          run -= 16;
        }
        n = 32 - Math.clz32(v < 0 ? -v : v);
        const sym = (run << 4) | n;
        sz = acs[sym];
        bits = acc_[sym];
        if (sz + n <= 24) {
          bits = (bits << n) | ((v < 0 ? v - 1 : v) & ((1 << n) - 1));
          sz += n;
        } else {
          acc = (acc << sz) | bits;
          cnt += sz;
          while (cnt >= 8) {
            cnt -= 8;
            const byte = (acc >>> cnt) & 255;
            buf[len++] = byte;
            if (byte === 0xff) buf[len++] = 0;
          }
          acc &= (1 << cnt) - 1;
          bits = (v < 0 ? v - 1 : v) & ((1 << n) - 1);
          sz = n;
        }
        acc = (acc << sz) | bits;
        cnt += sz;
        while (cnt >= 8) {
          cnt -= 8;
          const byte = (acc >>> cnt) & 255;
          buf[len++] = byte;
          if (byte === 0xff) buf[len++] = 0;
        }
        acc &= (1 << cnt) - 1;
        run = 0;
      }
      if (end < 63) {
        acc = (acc << acs[0]) | acc_[0];
        cnt += acs[0];
        while (cnt >= 8) {
          cnt -= 8;
          const byte = (acc >>> cnt) & 255;
          buf[len++] = byte;
          if (byte === 0xff) buf[len++] = 0;
        }
        acc &= (1 << cnt) - 1;
      }
    }
  }
  bw.len = len;
  bw.acc = acc;
  bw.cnt = cnt;
  bw.flush();
}


/** jsEntropy is the Entropy of quantized blocks in JavaScript (last: each block's last non-zero index). */
export function jsEntropy(coefs: Int16Array, layout: BlockLayout, last: Uint8Array): Entropy {
  return {
    counts: () => gather(coefs, layout, last),
    emit: (bw, dcT, acT) => emit(coefs, layout, last, dcT, acT, bw),
  };
}
