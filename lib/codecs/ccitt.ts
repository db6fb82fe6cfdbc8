/**
 * CCITT fax decoder for TIFF: Modified Huffman RLE (TIFF compression 2), T.4 / Group 3 in 1D and
 * 2D mode (compression 3) and T.6 / Group 4 (compression 4).
 *
 * Every code is looked up in one step in a 13-bit table, so the work is linear in the input and
 * the output: each decoded code consumes at least one input bit, each row is at most the width,
 * and decoding stops after the requested number of rows. Malformed data is refused rather than
 * guessed at, as golang.org/x/image/ccitt does: a run past the line width, a bit pattern that is
 * no code, or data that ends before the last row is a badImage (422). The reference row is read
 * as libtiff reads it, zero-length runs included (see decode2D), which some fax encoders rely on.
 */
import { badImage } from './types.js';

/** MAX_CCITT_WIDTH bounds the line width, as Go's decoder does, so position arithmetic stays small. */
export const MAX_CCITT_WIDTH = 1 << 20;

/** CcittScheme names the three TIFF CCITT compressions: 2 = 'mh', 3 = 'g3', 4 = 'g4'. */
export type CcittScheme = 'mh' | 'g3' | 'g4';

/** CcittOptions describes one strip or tile to decode. */
export interface CcittOptions {
  scheme: CcittScheme;
  width: number;
  /** Rows to decode; data after them is ignored. */
  height: number;
  /** TIFF FillOrder: 1 = most significant bit first (default), 2 = least significant first. */
  fillOrder?: number;
  /** TIFF T4Options (tag 292) for 'g3', T6Options (tag 293) for 'g4'. */
  options?: number;
  /** Set output bits for white pixels instead of black ones (for BlackIsZero images). */
  whiteIsOne?: boolean;
  /** If given, filled with the work done, also when decoding fails (tests bound it). */
  work?: CcittWork;
}

/** CcittWork counts what one decodeCcitt call did. */
export interface CcittWork {
  /** Input bits looked at, counting the whole 13-bit lookup window of every code. */
  bitsExamined: number;
  /** Input bits consumed. */
  bitsRead: number;
  /** Codes decoded (runs, modes and EOLs); each consumes at least one bit. */
  codes: number;
}

/** CcittResult is the decoded bitmap and how much work decoding took. */
export interface CcittResult {
  /** Packed rows, ceil(width / 8) bytes each, most significant bit first; 1 = black unless whiteIsOne. */
  data: Uint8Array;
  /** Input bits consumed (never more than the input's bit length). */
  bitsRead: number;
}

// Code tables from ITU-T T.4, as bit strings; index = run length (terminating) or run/64 - 1 (make-up).
const WHITE_TERM = ('00110101 000111 0111 1000 1011 1100 1110 1111 10011 10100 00111 01000 001000 000011 110100 110101 '
  + '101010 101011 0100111 0001100 0001000 0010111 0000011 0000100 0101000 0101011 0010011 0100100 0011000 00000010 00000011 00011010 '
  + '00011011 00010010 00010011 00010100 00010101 00010110 00010111 00101000 00101001 00101010 00101011 00101100 00101101 00000100 00000101 00001010 '
  + '00001011 01010010 01010011 01010100 01010101 00100100 00100101 01011000 01011001 01011010 01011011 01001010 01001011 00110010 00110011 00110100').split(' ');
const BLACK_TERM = ('0000110111 010 11 10 011 0011 0010 00011 000101 000100 0000100 0000101 0000111 00000100 00000111 000011000 '
  + '0000010111 0000011000 0000001000 00001100111 00001101000 00001101100 00000110111 00000101000 00000010111 00000011000 000011001010 000011001011 000011001100 000011001101 000001101000 000001101001 '
  + '000001101010 000001101011 000011010010 000011010011 000011010100 000011010101 000011010110 000011010111 000001101100 000001101101 000011011010 000011011011 000001010100 000001010101 000001010110 000001010111 '
  + '000001100100 000001100101 000001010010 000001010011 000000100100 000000110111 000000111000 000000100111 000000101000 000001011000 000001011001 000000101011 000000101100 000001011010 000001100110 000001100111').split(' ');
const WHITE_MAKEUP = ('11011 10010 010111 0110111 00110110 00110111 01100100 01100101 01101000 01100111 011001100 011001101 011010010 011010011 '
  + '011010100 011010101 011010110 011010111 011011000 011011001 011011010 011011011 010011000 010011001 010011010 011000 010011011').split(' ');
const BLACK_MAKEUP = ('0000001111 000011001000 000011001001 000001011011 000000110011 000000110100 000000110101 0000001101100 0000001101101 '
  + '0000001001010 0000001001011 0000001001100 0000001001101 0000001110010 0000001110011 0000001110100 0000001110101 0000001110110 '
  + '0000001110111 0000001010010 0000001010011 0000001010100 0000001010101 0000001011010 0000001011011 0000001100100 0000001100101').split(' ');
/** Extended make-up codes, shared by both colours: runs 1792 to 2560. */
const EXT_MAKEUP = ('00000001000 00000001100 00000001101 000000010010 000000010011 000000010100 000000010101 000000010110 '
  + '000000010111 000000011100 000000011101 000000011110 000000011111').split(' ');

const MODE_PASS = 0, MODE_H = 1, MODE_V0 = 5; // vertical modes are MODE_V0 + offset (-3..3)
const MODE_EXT = 9;
const MODE_CODES: [string, number][] = [
  ['0001', MODE_PASS], ['001', MODE_H], ['1', MODE_V0], ['011', MODE_V0 + 1], ['000011', MODE_V0 + 2], ['0000011', MODE_V0 + 3],
  ['010', MODE_V0 - 1], ['000010', MODE_V0 - 2], ['0000010', MODE_V0 - 3], ['0000001', MODE_EXT],
];

const LOOKUP_BITS = 13;

/** buildTable maps every 13-bit window to (code length << 16) | (value + 1), or 0 for no code. */
function buildTable(codes: [string, number][]): Int32Array {
  const t = new Int32Array(1 << LOOKUP_BITS);
  for (const [bits, value] of codes) {
    const first = parseInt(bits, 2) << (LOOKUP_BITS - bits.length);
    const count = 1 << (LOOKUP_BITS - bits.length);
    t.fill((bits.length << 16) | (value + 1), first, first + count);
  }
  return t;
}

function runCodes(term: string[], makeup: string[]): [string, number][] {
  return [
    ...term.map((c, i): [string, number] => [c, i]),
    ...makeup.map((c, i): [string, number] => [c, (i + 1) * 64]),
    ...EXT_MAKEUP.map((c, i): [string, number] => [c, 1792 + i * 64]),
  ];
}

const WHITE_TABLE = buildTable(runCodes(WHITE_TERM, WHITE_MAKEUP));
const BLACK_TABLE = buildTable(runCodes(BLACK_TERM, BLACK_MAKEUP));
const MODE_TABLE = buildTable(MODE_CODES);

/** BitReader reads MSB-first bits from a byte array, refusing to read past its end. */
class BitReader {
  pos = 0;
  examined = 0;
  readonly end: number;
  constructor(readonly src: Uint8Array) {
    this.end = src.length * 8;
  }

  /** peek returns the next 13 bits (zero-padded past the end). */
  peek(): number {
    const p = this.pos, i = p >> 3, s = this.src;
    const w = ((s[i] ?? 0) << 16) | ((s[i + 1] ?? 0) << 8) | (s[i + 2] ?? 0);
    return (w >> (24 - LOOKUP_BITS - (p & 7))) & ((1 << LOOKUP_BITS) - 1);
  }

  /** code decodes one code from a table, or throws if the bits are no code or run past the end. */
  code(table: Int32Array): number {
    if (this.pos >= this.end) throw badImage('The CCITT data ends before the last row');
    this.examined += LOOKUP_BITS;
    const e = table[this.peek()];
    if (e === 0) throw badImage('The CCITT data has an invalid code');
    const len = e >> 16;
    if (this.pos + len > this.end) throw badImage('The CCITT data ends before the last row');
    this.pos += len;
    return (e & 0xffff) - 1;
  }

  bit(): number {
    if (this.pos >= this.end) throw badImage('The CCITT data ends before the last row');
    const b = (this.src[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    this.examined++;
    return b;
  }

  /** eol consumes one EOL (eleven or more 0 bits, then a 1, so fill bits are accepted) if one is next. */
  eol(): boolean {
    let p = this.pos;
    while (p < this.end && ((this.src[p >> 3] >> (7 - (p & 7))) & 1) === 0) {
      p++;
      // Fast skip of whole zero bytes keeps long fill runs cheap.
      while ((p & 7) === 0 && p + 8 <= this.end && this.src[p >> 3] === 0) p += 8;
    }
    this.examined += p - this.pos + 1;
    if (p >= this.end) {
      if (p - this.pos >= 11) this.pos = this.end; // trailing fill: nothing more to read
      return false;
    }
    if (p - this.pos < 11) return false;
    this.pos = p + 1;
    return true;
  }

  align(): void {
    this.pos = Math.min(this.end, (this.pos + 7) & ~7);
  }
}

/**
 * decodeCcitt decodes one CCITT-compressed strip or tile into packed 1-bit rows.
 * It throws badImage (422) for data it cannot decode exactly.
 */
export function decodeCcitt(input: Uint8Array, opts: CcittOptions): CcittResult {
  const { scheme, width, height } = opts;
  if (!(width > 0 && width <= MAX_CCITT_WIDTH) || !(height >= 0)) throw badImage('The CCITT image size is not valid');
  // Only T4Options bit 0 (2D coding) changes how we read; bit 2 (fill before EOL) is always accepted,
  // and uncompressed mode (bit 1 of either) is refused only if the data actually uses it, as in Go.
  const options = opts.options ?? 0;
  let src = input;
  if (opts.fillOrder === 2) {
    src = new Uint8Array(input.length);
    for (let i = 0; i < input.length; i++) src[i] = REVERSED[input[i]];
  }
  const br = new BitReader(src);
  const rowBytes = (width + 7) >> 3;
  const data = new Uint8Array(rowBytes * height);
  if (opts.whiteIsOne) data.fill(0xff);
  // Changing elements of the reference (previous) and coding rows: the ends of the runs, which
  // alternate white, black, white... The row above the first is all white.
  let ref = new Int32Array(2 * width + 4), cur = new Int32Array(2 * width + 4);
  let refLen = 0, curLen = 0;
  let codes = 0;
  let twoD = false;

  /**
   * change records the end of a run at x. A zero-length run is kept (two equal entries): it is
   * still a changing element of the reference line, which some encoders' next row refers to, as
   * libtiff reads it.
   */
  const change = (x: number): void => {
    // Zero-length runs cost input bits but no width, so bound them as libtiff bounds its run array.
    if (curLen >= cur.length - 1) throw badImage('A CCITT row has too many runs');
    cur[curLen++] = x;
  };
  /** run decodes one white or black run (make-up codes plus a terminating code). */
  const run = (black: boolean, a0: number): number => {
    const table = black ? BLACK_TABLE : WHITE_TABLE;
    let total = 0;
    for (;;) {
      const n = br.code(table);
      codes++;
      total += n;
      if (a0 + total > width) throw badImage('A CCITT run passes the end of the line');
      if (n < 64) return total;
    }
  };

  try {
    decodeRows();
  } finally {
    if (opts.work) {
      opts.work.bitsExamined = br.examined;
      opts.work.bitsRead = br.pos;
      opts.work.codes = codes;
    }
  }
  return { data, bitsRead: br.pos };

  function decodeRows(): void {
    for (let y = 0; y < height; y++) {
      if (scheme === 'g3') {
        // T.4 puts an EOL before every line (and the 1D/2D tag bit after it in 2D mode); be lenient
        // about a missing one, as many writers omit the first.
        let sawEol = false;
        while (br.eol()) {
          codes++;
          sawEol = true;
          if ((options & 1) !== 0) twoD = br.bit() === 0;
        }
        if (!sawEol && (options & 1) === 0) twoD = false;
      } else if (scheme === 'mh') {
        br.align(); // every Modified Huffman row starts on a byte boundary
      }
      curLen = 0;
      if (scheme === 'g4' || twoD) decode2D();
      else {
        let a0 = 0, black = false;
        while (a0 < width) {
          a0 += run(black, a0);
          change(a0);
          black = !black;
        }
      }
      // Paint the black runs: [cur[0], cur[1]), [cur[2], cur[3]), ...
      const row = y * rowBytes;
      for (let i = 0; i < curLen; i += 2) {
        const from = cur[i], to = i + 1 < curLen ? Math.min(cur[i + 1], width) : width;
        for (let x = from; x < to; x++) data[row + (x >> 3)] ^= 0x80 >> (x & 7);
      }
      // Like libtiff, the row ends with an imaginary change at the right edge for the next row.
      cur[curLen++] = width;
      [ref, cur] = [cur, ref];
      refLen = curLen;
    }
  }

  /**
   * decode2D decodes one T.4 2D / T.6 row. b1 is tracked as an index into the reference row's
   * changes, stepped the way libtiff steps it: past every change at or left of a0 (two at a time,
   * keeping its colour) once the row has a run, to b2 and beyond by a pass, one forward after VR
   * or V0 and one back after VL.
   */
  function decode2D(): void {
    let a0 = 0, black = false;
    let kb = 0; // b1 = at(kb)
    const at = (i: number): number => (i < 0 ? 0 : i < refLen ? ref[i] : width);
    const checkB1 = (): void => {
      if (curLen === 0) return;
      while (at(kb) <= a0 && at(kb) < width) kb += 2;
    };
    while (a0 < width) {
      const mode = br.code(MODE_TABLE);
      codes++;
      if (mode === MODE_H) {
        a0 += run(black, a0);
        change(a0);
        a0 += run(!black, a0);
        change(a0);
        checkB1();
        continue;
      }
      if (mode === MODE_EXT) throw badImage('CCITT extension modes are not supported');
      checkB1();
      if (mode === MODE_PASS) {
        const b2 = at(kb + 1);
        if (b2 < a0 || b2 > width) throw badImage('A CCITT pass code points outside the line');
        a0 = b2;
        kb += 2;
        continue;
      }
      const d = mode - MODE_V0;
      const a1 = at(kb) + d;
      if (a1 < a0 || a1 > width) throw badImage('A CCITT vertical code points outside the line');
      a0 = a1;
      change(a0);
      black = !black;
      kb += d < 0 ? -1 : 1;
    }
  }
}

const REVERSED = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >> b;
    t[i] = r;
  }
  return t;
})();
