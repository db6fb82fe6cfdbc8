/**
 * Huffman coding for the fast JPEG encoder: optimal length-limited code construction
 * (T.81 Annex K.2, as libjpeg's jpeg_gen_optimal_table) and a byte-stuffing bit writer.
 */
import type { HuffSpec } from './tables.js';

/** EncTable maps a symbol to its code and code length. */
export interface EncTable {
  code: Uint16Array;
  size: Uint8Array;
}

/** buildEncTable derives the code of every symbol of a DHT-style table (T.81 Annex C). */
export function buildEncTable(spec: HuffSpec): EncTable {
  const code = new Uint16Array(256);
  const size = new Uint8Array(256);
  let c = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    for (let i = 0; i < spec.counts[l - 1]; i++) {
      const sym = spec.symbols[k++];
      code[sym] = c++;
      size[sym] = l;
    }
    c <<= 1;
  }
  return { code, size };
}

/**
 * optimalSpec builds a Huffman table with code lengths of at most 16 bits for the given symbol
 * frequencies (257 entries: the last reserves the all-ones code so no code is all ones).
 * It returns undefined when no symbol occurs.
 */
export function optimalSpec(freqIn: Uint32Array): HuffSpec | undefined {
  const freq = new Float64Array(257);
  let used = 0;
  for (let i = 0; i < 256; i++) {
    freq[i] = freqIn[i];
    if (freqIn[i]) used++;
  }
  if (used === 0) return undefined;
  freq[256] = 1;
  const codesize = new Int32Array(257);
  const others = new Int32Array(257).fill(-1);
  for (;;) {
    // c1 = least frequent symbol, c2 = next least; ties go to the larger index, as in libjpeg.
    let c1 = -1, c2 = -1;
    let v = Infinity;
    for (let i = 0; i <= 256; i++) {
      if (freq[i] && freq[i] <= v) {
        v = freq[i];
        c1 = i;
      }
    }
    v = Infinity;
    for (let i = 0; i <= 256; i++) {
      if (freq[i] && freq[i] <= v && i !== c1) {
        v = freq[i];
        c2 = i;
      }
    }
    if (c2 < 0) break;
    freq[c1] += freq[c2];
    freq[c2] = 0;
    codesize[c1]++;
    while (others[c1] >= 0) {
      c1 = others[c1];
      codesize[c1]++;
    }
    others[c1] = c2;
    codesize[c2]++;
    while (others[c2] >= 0) {
      c2 = others[c2];
      codesize[c2]++;
    }
  }
  const bits = new Int32Array(33);
  for (let i = 0; i <= 256; i++) if (codesize[i]) bits[Math.min(codesize[i], 32)]++;
  // Limit lengths to 16 bits (Annex K.3 adjust_bits).
  for (let i = 32; i > 16; i--) {
    while (bits[i] > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i] -= 2;
      bits[i - 1]++;
      bits[j + 1] += 2;
      bits[j]--;
    }
  }
  // Drop the reserved code point from the longest length.
  let i = 16;
  while (i > 0 && bits[i] === 0) i--;
  if (i > 0) bits[i]--;
  const counts = new Uint8Array(16);
  for (let l = 1; l <= 16; l++) counts[l - 1] = bits[l];
  const symbols: number[] = [];
  for (let l = 1; l <= 32; l++) {
    for (let s = 0; s < 256; s++) if (codesize[s] === l) symbols.push(s);
  }
  return { counts, symbols: Uint8Array.from(symbols) };
}

/** BitWriter accumulates bits MSB-first into a growing byte buffer, stuffing 0x00 after 0xFF. */
export class BitWriter {
  buf: Uint8Array;
  len = 0;
  /** acc holds the cnt (< 8) pending bits that do not yet make a whole byte. */
  acc = 0;
  cnt = 0;

  /** The buffer is `reuse` when that holds capacity bytes (every byte is written before it is read). */
  constructor(capacity: number, reuse?: Uint8Array) {
    const n = Math.max(1024, capacity);
    this.buf = reuse !== undefined && reuse.length >= n ? reuse : new Uint8Array(n);
  }

  /** grow makes room for at least extra more bytes. */
  grow(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  /** bytes appends raw bytes (marker segments). */
  bytes(b: ArrayLike<number>): void {
    this.grow(b.length);
    for (let i = 0; i < b.length; i++) this.buf[this.len++] = b[i];
  }

  /** append appends raw bytes in one copy (entropy-coded data written elsewhere). */
  append(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** put appends the low n (<= 16) bits of v. */
  put(v: number, n: number): void {
    let acc = (this.acc << n) | (v & ((1 << n) - 1));
    let cnt = this.cnt + n;
    if (cnt >= 8) {
      if (this.len + 6 > this.buf.length) this.grow(6);
      const buf = this.buf;
      while (cnt >= 8) {
        cnt -= 8;
        const byte = (acc >>> cnt) & 255;
        buf[this.len++] = byte;
        if (byte === 0xff) buf[this.len++] = 0;
      }
      acc &= (1 << cnt) - 1;
    }
    this.acc = acc;
    this.cnt = cnt;
  }

  /** flush pads the last byte with one bits, as T.81 F.1.2.3 asks. */
  flush(): void {
    if (this.cnt > 0) this.put(0x7f, 8 - this.cnt);
  }

  /** result returns the written bytes. */
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** SPARE_WRITER_BYTES bounds the output buffer a thread keeps for its next JPEG (why: lib/codecs/scratch.ts). */
const SPARE_WRITER_BYTES = 4 * 1024 * 1024;
let spareWriterBuffer: Uint8Array | undefined;

/**
 * writeReusing runs write on a BitWriter of capacity bytes whose buffer is the one the last call
 * used, and returns a copy of what it wrote. write must be synchronous.
 */
export function writeReusing(capacity: number, write: (bw: BitWriter) => void): Uint8Array {
  const bw = new BitWriter(capacity, spareWriterBuffer);
  spareWriterBuffer = undefined;
  try {
    write(bw);
    return bw.result().slice();
  } finally {
    if (bw.buf.length <= SPARE_WRITER_BYTES) spareWriterBuffer = bw.buf;
  }
}
