/**
 * TIFF LZW strips: the TIFF 6 code stream and the old-style ("compat") one that libtiff still
 * reads, decoded into a bounded buffer.
 */

/**
 * isOldStyleLzw reports whether an LZW strip was written by the pre-TIFF-6 ("compat") encoders:
 * codes packed least significant bit first, which makes the leading Clear code (256) start
 * with a zero byte and then a byte with its low bit set. libtiff recognises them the same way.
 */
export function isOldStyleLzw(src: Uint8Array): boolean {
  return src.length >= 2 && src[0] === 0 && (src[1] & 1) === 1;
}

/**
 * lzwDecode decodes one TIFF LZW strip into at most `expected` bytes: TIFF 6 codes (most
 * significant bit first, the code width growing one code early) or, as libtiff does, old-style
 * ones (least significant bit first, growing when the table fills). UTIF's own LZW decoder can
 * loop forever on a corrupt code table; this one walks each string exactly its recorded length
 * and stops at the first invalid code.
 */
export function lzwDecode(src: Uint8Array, expected: number): Uint8Array {
  const compat = isOldStyleLzw(src);
  // The width grows when the next free code reaches 2^width, one code sooner in TIFF 6 streams.
  const early = compat ? 0 : 1;
  const out = new Uint8Array(expected);
  const prefix = new Uint16Array(4096), suffix = new Uint8Array(4096), length = new Uint16Array(4096), first = new Uint8Array(4096);
  for (let i = 0; i < 256; i++) { suffix[i] = i; length[i] = 1; first[i] = i; }
  let next = 258, width = 9, prev = -1, op = 0;
  let bitPos = 0;
  const endBits = src.length * 8;
  const emit = (code: number): void => {
    const n = length[code];
    let c = code;
    for (let k = n - 1; k >= 0; k--) {
      if (op + k < expected) out[op + k] = suffix[c];
      c = prefix[c];
    }
    op += n;
  };
  while (bitPos + width <= endBits && op < expected) {
    let code = 0;
    if (compat) {
      for (let k = 0; k < width; k++, bitPos++) code |= ((src[bitPos >> 3] >> (bitPos & 7)) & 1) << k;
    } else {
      for (let k = 0; k < width; k++, bitPos++) code = (code << 1) | ((src[bitPos >> 3] >> (7 - (bitPos & 7))) & 1);
    }
    if (code === 256) { next = 258; width = 9; prev = -1; continue; }
    if (code === 257) break;
    if (prev < 0) {
      if (code > 255) break;
      emit(code);
      prev = code;
      continue;
    }
    if (code > next || (code === next && next >= 4096)) break; // not yet defined: corrupt stream
    if (next < 4096) {
      prefix[next] = prev;
      suffix[next] = code < next ? first[code] : first[prev];
      length[next] = Math.min(length[prev] + 1, 4096);
      first[next] = first[prev];
      next++;
    }
    emit(code);
    if (next + early >= 1 << width && width < 12) width++;
    prev = code;
  }
  return op >= expected ? out : out.subarray(0, op);
}
