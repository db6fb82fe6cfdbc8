/**
 * GIF LZW: a bounded decoder that reads straight from the sub-block chain, and an encoder with
 * a small typed hash table (omggif's keeps its code table in a plain object, which dominated
 * the cost of writing an animated GIF).
 */

/** MAX_CODE is the size of the GIF code space: codes are at most 12 bits wide. */
const MAX_CODE = 4096;

/**
 * lzwDecode decodes the LZW sub-block chain whose first length byte is at b[start] into at
 * most out.length colour indices and returns how many it produced.
 *
 * Every table entry is a string the decoder has already written (the previous code's string
 * plus one more byte), so an entry is kept as an offset into out and a length and decoding is
 * a forward copy. Each copy is exactly its recorded length and the first invalid code ends the
 * data, so corrupt input cannot loop; a truncated chain just ends the frame early.
 */
export function lzwDecode(b: Uint8Array, start: number, minCodeSize: number, out: Uint8Array): number {
  const count = out.length;
  const offset = new Int32Array(MAX_CODE), length = new Uint16Array(MAX_CODE);
  const clear = 1 << minCodeSize, eoi = clear + 1;
  let next = clear + 2, width = minCodeSize + 1, mask = (1 << width) - 1;
  let prev = -1, prevPos = 0, prevLen = 0, op = 0;
  // q walks the sub-block chain; left is what remains of the current block.
  let acc = 0, bits = 0, q = start, left = 0;
  const end = b.length;
  for (;;) {
    while (bits < width) {
      while (left === 0) {
        if (q >= end) return op;
        left = b[q++];
        if (left === 0) return op; // block terminator: end of data
      }
      if (q >= end) return op;
      acc |= b[q++] << bits;
      left--;
      bits += 8;
    }
    const code = acc & mask;
    acc >>>= width;
    bits -= width;
    if (code === clear) { next = clear + 2; width = minCodeSize + 1; mask = (1 << width) - 1; prev = -1; continue; }
    if (code === eoi) return op;
    if (prev < 0) {
      if (code >= clear) return op;
    } else {
      if (code > next || (code === next && next >= MAX_CODE)) return op;
      if (next < MAX_CODE) {
        offset[next] = prevPos;
        length[next] = prevLen + 1;
        next++;
        if (next === 1 << width && width < 12) { width++; mask = (1 << width) - 1; }
      }
    }
    prevPos = op;
    if (code < clear) {
      out[op++] = code;
      prevLen = 1;
    } else {
      // For code === next the source overlaps the destination by one byte, which a forward
      // byte copy gets right: the last byte read is the first one written.
      const n = length[code];
      const stop = Math.min(op + n, count);
      for (let s = offset[code]; op < stop; ) out[op++] = out[s++];
      prevLen = n;
    }
    prev = code;
    if (op >= count) return count;
  }
}

/** HASH_BITS sizes the encoder's open-addressed table at four times the code space (short probes). */
const HASH_BITS = 14;

/**
 * lzwEncode writes indices as a GIF LZW stream at out[p]: the minimum code size byte, the
 * sub-blocks and their terminator. It returns the position after the terminator. out must have
 * room for the worst case, under 1.51 bytes per index plus 2 bytes per sub-block of 255 and a
 * few bytes of framing.
 */
export function lzwEncode(indices: Uint8Array, minCodeSize: number, out: Uint8Array, p: number): number {
  const keys = new Int32Array(1 << HASH_BITS), codes = new Uint16Array(1 << HASH_BITS);
  const hashMask = (1 << HASH_BITS) - 1, shift = 32 - HASH_BITS;
  const roots = new Uint16Array((1 << minCodeSize) * 256 + 1); // code of (root, index) at key, 0 = none
  const clear = 1 << minCodeSize, eoi = clear + 1, indexMask = clear - 1;
  let next = eoi + 1, width = minCodeSize + 1;
  out[p++] = minCodeSize;
  let sub = p++; // the length byte of the sub-block being filled
  let acc = clear, bits = width; // a stream starts with a clear code
  const n = indices.length;
  let cur = n > 0 ? indices[0] & indexMask : 0;
  for (let i = 1; i < n; i++) {
    const k = indices[i] & indexMask;
    // Strings of one index (most prefixes, in photos) extend through a direct table; longer ones hash.
    const key = ((cur << 8) | k) + 1; // 0 marks an empty slot
    let h = -1;
    if (cur < clear) {
      const c = roots[key];
      if (c !== 0) { cur = c; continue; }
    } else {
      h = Math.imul(key, 0x9e3779b1) >>> shift;
      let found = -1;
      for (;;) {
        const kk = keys[h];
        if (kk === key) { found = codes[h]; break; }
        if (kk === 0) break;
        h = (h + 1) & hashMask;
      }
      if (found >= 0) { cur = found; continue; }
    }
    acc |= cur << bits;
    bits += width;
    while (bits >= 8) {
      out[p++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
      if (p === sub + 256) { out[sub] = 255; sub = p++; }
    }
    if (next === MAX_CODE) {
      // The table is full: start again, as decoders expect, rather than coding on with a stale table.
      acc |= clear << bits;
      bits += width;
      while (bits >= 8) {
        out[p++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
        if (p === sub + 256) { out[sub] = 255; sub = p++; }
      }
      next = eoi + 1;
      width = minCodeSize + 1;
      keys.fill(0);
      roots.fill(0);
    } else {
      // The decoder widens when its table reaches 1 << width, one code after the encoder adds the entry.
      if (next >= 1 << width) width++;
      if (h < 0) roots[key] = next++;
      else { keys[h] = key; codes[h] = next++; }
    }
    cur = k;
  }
  for (const code of n > 0 ? [cur, eoi] : [eoi]) {
    acc |= code << bits;
    bits += width;
    while (bits >= 8) {
      out[p++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
      if (p === sub + 256) { out[sub] = 255; sub = p++; }
    }
  }
  if (bits > 0) {
    out[p++] = acc & 0xff;
    if (p === sub + 256) { out[sub] = 255; sub = p++; }
  }
  if (p === sub + 1) {
    out[sub] = 0; // the open sub-block is empty: it becomes the terminator
  } else {
    out[sub] = p - sub - 1;
    out[p++] = 0;
  }
  return p;
}
