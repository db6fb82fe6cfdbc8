/**
 * Entropy-coded segment reading for the fast JPEG decoder: a 32-bit bit buffer over the
 * byte-stuffed stream and Huffman tables with 10-bit lookahead.
 */
import { UnprocessableImageError } from '../../errors.js';

/**
 * LOOKAHEAD is the number of bits resolved by one table lookup; longer codes take the slow path.
 * At 10 rather than 9 bits, more AC codes of a high-quality photo resolve with their magnitude
 * bits in one lookup (huffman.wat's table layout is written for this value).
 */
export const LOOKAHEAD = 10;
/** LOOK_MASK keeps the LOOKAHEAD bits of a peek. */
export const LOOK_MASK = (1 << LOOKAHEAD) - 1;

/** HuffTable is a Huffman decoding table built from a DHT segment. */
export interface HuffTable {
  /** look[peek] = (length << 8) | symbol for codes of at most LOOKAHEAD bits, 0 otherwise. */
  look: Uint16Array;
  /**
   * fastAC[peek] = (value << 8) | (run << 4) | totalLength when the code and its magnitude bits
   * both fit in the lookahead, 0 otherwise (only meaningful for AC tables).
   */
  fastAC: Int32Array;
  /** maxcode[l] is the largest code of length l, or -1; maxcode[17] is a sentinel. */
  maxcode: Int32Array;
  /** valoff[l] turns a code of length l into an index into values. */
  valoff: Int32Array;
  values: Uint8Array;
}

/**
 * buildHuffTable builds a decoding table from code counts per length (16 entries) and symbols.
 * It throws UnprocessableImageError when the counts describe an impossible code.
 */
export function buildHuffTable(counts: Uint8Array, symbols: Uint8Array): HuffTable {
  const look = new Uint16Array(1 << LOOKAHEAD);
  const fastAC = new Int32Array(1 << LOOKAHEAD);
  const maxcode = new Int32Array(18).fill(-1);
  const valoff = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1];
    valoff[l] = k - code;
    for (let i = 0; i < n; i++) {
      if (k >= symbols.length) throw new UnprocessableImageError('The JPEG image has a malformed Huffman table.');
      if (l <= LOOKAHEAD) {
        const sym = symbols[k];
        const shift = LOOKAHEAD - l;
        const base = code << shift;
        for (let j = 0; j < 1 << shift; j++) look[base + j] = (l << 8) | sym;
        const run = sym >> 4;
        const size = sym & 15;
        if (size !== 0 && l + size <= LOOKAHEAD) {
          // The magnitude bits follow the code inside the lookahead window.
          for (let j = 0; j < 1 << shift; j++) {
            const extra = j >> (shift - size);
            const v = extra < 1 << (size - 1) ? extra - (1 << size) + 1 : extra;
            fastAC[base + j] = (v << 8) | (run << 4) | (l + size);
          }
        }
      }
      code++;
      k++;
    }
    if (n > 0) maxcode[l] = code - 1;
    if (code > 1 << l) throw new UnprocessableImageError('The JPEG image has a malformed Huffman table.');
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { look, fastAC, maxcode, valoff, values: symbols };
}

/**
 * BitReader reads bits from an entropy-coded segment. At a marker or the end of the data it
 * supplies zero bits and counts them, so decoding never runs off the buffer.
 */
export class BitReader {
  data: Uint8Array;
  pos: number;
  buf = 0;
  cnt = 0;
  /** fake counts zero bytes supplied past a marker or the end of the data. */
  fake = 0;

  constructor(data: Uint8Array, pos: number) {
    this.data = data;
    this.pos = pos;
  }

  /** fill tops the buffer up to more than 24 valid bits. */
  fill(): void {
    const data = this.data;
    const len = data.length;
    let pos = this.pos;
    let buf = this.buf;
    let cnt = this.cnt;
    while (cnt <= 24) {
      let b = 0;
      if (pos < len) {
        b = data[pos];
        if (b === 0xff) {
          const n = pos + 1 < len ? data[pos + 1] : -1;
          if (n === 0) {
            pos += 2;
          } else {
            b = 0;
            this.fake++;
          }
        } else {
          pos++;
        }
      } else {
        this.fake++;
      }
      buf = (buf << 8) | b;
      cnt += 8;
    }
    this.pos = pos;
    this.buf = buf;
    this.cnt = cnt;
  }

  /** reset drops buffered bits, e.g. at a restart marker. */
  reset(): void {
    this.buf = 0;
    this.cnt = 0;
    this.fake = 0;
  }

  /** decode reads one Huffman-coded symbol. */
  decode(t: HuffTable): number {
    if (this.cnt < 16) this.fill();
    const cnt = this.cnt;
    const v = t.look[(this.buf >>> (cnt - LOOKAHEAD)) & LOOK_MASK];
    if (v !== 0) {
      this.cnt = cnt - (v >> 8);
      return v & 255;
    }
    return this.decodeSlow(t);
  }

  /** decodeSlow resolves codes longer than the lookahead. */
  decodeSlow(t: HuffTable): number {
    const cnt = this.cnt;
    const buf = this.buf;
    let l = LOOKAHEAD + 1;
    let code = (buf >>> (cnt - l)) & ((1 << l) - 1);
    while (code > t.maxcode[l]) {
      l++;
      if (l > 16) throw new UnprocessableImageError('The JPEG image has corrupt entropy-coded data.');
      code = (buf >>> (cnt - l)) & ((1 << l) - 1);
    }
    this.cnt = cnt - l;
    const idx = code + t.valoff[l];
    if (idx < 0 || idx >= t.values.length) throw new UnprocessableImageError('The JPEG image has corrupt entropy-coded data.');
    return t.values[idx];
  }

  /** receive reads n (0..16) raw bits as an unsigned number. */
  receive(n: number): number {
    if (this.cnt < n) this.fill();
    const cnt = this.cnt - n;
    this.cnt = cnt;
    return (this.buf >>> cnt) & ((1 << n) - 1);
  }

  /** receiveExtend reads n raw bits and sign-extends them as in T.81 F.2.2.1. */
  receiveExtend(n: number): number {
    if (n === 0) return 0;
    if (this.cnt < n) this.fill();
    const cnt = this.cnt - n;
    this.cnt = cnt;
    const v = (this.buf >>> cnt) & ((1 << n) - 1);
    return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
  }

  /** bit reads one bit. */
  bit(): number {
    if (this.cnt < 1) this.fill();
    this.cnt--;
    return (this.buf >>> this.cnt) & 1;
  }

  /** overrun reports whether decoding consumed bits that were not in the stream. */
  overrun(): boolean {
    return this.fake * 8 > this.cnt;
  }

  /** atEnd reports whether the reader stopped at the end of the data rather than at a marker. */
  atEnd(): boolean {
    return this.pos >= this.data.length - 1;
  }
}
