/**
 * Mutations for the decoder fuzzer: AFL-style havoc (bit flips, interesting bytes and words,
 * chunk duplication and deletion, truncation, splicing) plus format-aware tweaks of the header
 * fields that hold lengths, sizes and counts, where decoders are most likely to trust the input.
 */
import type { Rng } from './prng.js';
import { crc32 } from '../../lib/cache/framing.js';

/** Field is an integer field inside a file header that a decoder will believe. */
export interface Field {
  offset: number;
  size: 1 | 2 | 4;
  little: boolean;
  what: string;
}

/** MAX_GROWTH_BYTES bounds how much a mutation may grow an input, so inputs stay cheap to run. */
export const MAX_GROWTH_BYTES = 64 * 1024;

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x20, 0x40, 8, 16, 2, 3, 4];
const INTERESTING_32 = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 100_000, 0x7fffffff, 0x80000000,
  0xffffffff, 0xfffffffe,
];

function readField(b: Uint8Array, f: Field): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return f.size === 1 ? v.getUint8(f.offset) : f.size === 2 ? v.getUint16(f.offset, f.little) : v.getUint32(f.offset, f.little);
}

function writeField(b: Uint8Array, f: Field, value: number): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const x = value >>> 0;
  if (f.size === 1) v.setUint8(f.offset, x & 0xff);
  else if (f.size === 2) v.setUint16(f.offset, x & 0xffff, f.little);
  else v.setUint32(f.offset, x, f.little);
}

const be16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const le16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const le32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array, o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));

/** pngFields lists chunk lengths and the IHDR fields. */
function pngFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  for (let o = 8, n = 0; o + 8 <= b.length && n < 256; n++) {
    const len = be32(b, o);
    const type = ascii(b, o + 4, 4);
    out.push({ offset: o, size: 4, little: false, what: `png ${type} length` });
    if (type === 'IHDR' && o + 21 <= b.length) {
      out.push({ offset: o + 8, size: 4, little: false, what: 'png width' });
      out.push({ offset: o + 12, size: 4, little: false, what: 'png height' });
      for (const [d, what] of [[16, 'bit depth'], [17, 'colour type'], [18, 'compression'], [19, 'filter'], [20, 'interlace']] as const) {
        out.push({ offset: o + d, size: 1, little: false, what: `png ${what}` });
      }
    }
    if (type === 'acTL' && o + 16 <= b.length) out.push({ offset: o + 8, size: 4, little: false, what: 'png frame count' });
    o += 12 + len;
  }
  return out;
}

/** jpegFields lists segment lengths, frame size and component fields. */
function jpegFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let o = 2;
  for (let n = 0; o + 4 <= b.length && n < 512; n++) {
    if (b[o] !== 0xff) {
      // Entropy-coded data: find the next real marker.
      while (o + 1 < b.length && !(b[o] === 0xff && b[o + 1] !== 0 && !(b[o + 1]! >= 0xd0 && b[o + 1]! <= 0xd7))) o++;
      if (o + 4 > b.length) break;
    }
    const m = b[o + 1]!;
    if (m === 0xd9) break;
    if (m === 0xff || (m >= 0xd0 && m <= 0xd8) || m === 0x01) { o++; continue; }
    const len = be16(b, o + 2);
    out.push({ offset: o + 2, size: 2, little: false, what: `jpeg ff${m.toString(16)} length` });
    const sof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (sof && o + 10 <= b.length) {
      out.push({ offset: o + 4, size: 1, little: false, what: 'jpeg precision' });
      out.push({ offset: o + 5, size: 2, little: false, what: 'jpeg height' });
      out.push({ offset: o + 7, size: 2, little: false, what: 'jpeg width' });
      out.push({ offset: o + 9, size: 1, little: false, what: 'jpeg components' });
      for (let c = 0; c < b[o + 9]! && o + 12 + 3 * c < b.length; c++) {
        out.push({ offset: o + 11 + 3 * c, size: 1, little: false, what: 'jpeg sampling' });
        out.push({ offset: o + 12 + 3 * c, size: 1, little: false, what: 'jpeg quant table' });
      }
    }
    if (m === 0xda && o + 5 <= b.length) {
      out.push({ offset: o + 4, size: 1, little: false, what: 'jpeg scan components' });
      const ns = b[o + 4]!;
      const end = o + 5 + 2 * ns;
      for (const [d, what] of [[0, 'Ss'], [1, 'Se'], [2, 'Ah/Al']] as const) {
        if (end + d < b.length) out.push({ offset: end + d, size: 1, little: false, what: `jpeg ${what}` });
      }
    }
    if (m === 0xdd && o + 6 <= b.length) out.push({ offset: o + 4, size: 2, little: false, what: 'jpeg restart interval' });
    o += 2 + len;
  }
  return out;
}

/** gifFields lists screen and frame sizes, packed fields, code sizes and sub-block lengths. */
function gifFields(b: Uint8Array): Field[] {
  if (b.length < 13) return [];
  const out: Field[] = [
    { offset: 6, size: 2, little: true, what: 'gif screen width' },
    { offset: 8, size: 2, little: true, what: 'gif screen height' },
    { offset: 10, size: 1, little: true, what: 'gif packed' },
  ];
  let o = 13 + (b[10]! & 0x80 ? 3 << ((b[10]! & 7) + 1) : 0);
  const blocks = (): void => {
    for (let n = 0; o < b.length && b[o] !== 0 && n < 64; n++) {
      out.push({ offset: o, size: 1, little: true, what: 'gif sub-block length' });
      o += 1 + b[o]!;
    }
    while (o < b.length && b[o] !== 0) o += 1 + b[o]!;
    o++;
  };
  for (let n = 0; o < b.length && n < 256; n++) {
    if (b[o] === 0x21) {
      o += 2;
      blocks();
    } else if (b[o] === 0x2c && o + 10 <= b.length) {
      out.push({ offset: o + 1, size: 2, little: true, what: 'gif frame left' });
      out.push({ offset: o + 3, size: 2, little: true, what: 'gif frame top' });
      out.push({ offset: o + 5, size: 2, little: true, what: 'gif frame width' });
      out.push({ offset: o + 7, size: 2, little: true, what: 'gif frame height' });
      out.push({ offset: o + 9, size: 1, little: true, what: 'gif frame packed' });
      const p = b[o + 9]!;
      o += 10 + (p & 0x80 ? 3 << ((p & 7) + 1) : 0);
      if (o < b.length) out.push({ offset: o, size: 1, little: true, what: 'gif LZW code size' });
      o++;
      blocks();
    } else {
      break;
    }
  }
  return out;
}

/** bmpFields lists the file and info header fields. */
function bmpFields(b: Uint8Array): Field[] {
  const spec: Array<[number, 2 | 4, string]> = [
    [2, 4, 'file size'], [10, 4, 'pixel offset'], [14, 4, 'header size'], [18, 4, 'width'], [22, 4, 'height'],
    [26, 2, 'planes'], [28, 2, 'bits per pixel'], [30, 4, 'compression'], [34, 4, 'image size'], [46, 4, 'colours used'],
    [54, 4, 'red mask'], [58, 4, 'green mask'], [62, 4, 'blue mask'], [66, 4, 'alpha mask'],
  ];
  return spec.filter(([o, n]) => o + n <= b.length).map(([offset, size, what]) => ({ offset, size, little: true, what: `bmp ${what}` }));
}

/** tiffFields lists the IFD offset and every IFD entry's type, count and value of the first IFDs. */
function tiffFields(b: Uint8Array): Field[] {
  if (b.length < 8) return [];
  const little = b[0] === 0x49;
  const r16 = little ? le16 : be16;
  const r32 = little ? le32 : be32;
  const out: Field[] = [{ offset: 4, size: 4, little, what: 'tiff IFD offset' }];
  let ifd = r32(b, 4);
  for (let n = 0; n < 4 && ifd > 0 && ifd + 2 <= b.length; n++) {
    out.push({ offset: ifd, size: 2, little, what: 'tiff entry count' });
    const count = Math.min(r16(b, ifd), 64);
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + 12 * i;
      if (e + 12 > b.length) break;
      const tag = r16(b, e);
      out.push({ offset: e + 2, size: 2, little, what: `tiff tag ${tag} type` });
      out.push({ offset: e + 4, size: 4, little, what: `tiff tag ${tag} count` });
      out.push({ offset: e + 8, size: 4, little, what: `tiff tag ${tag} value` });
      if (r16(b, e + 2) === 3) out.push({ offset: e + 8, size: 2, little, what: `tiff tag ${tag} short value` });
    }
    const next = ifd + 2 + 12 * r16(b, ifd);
    if (next + 4 > b.length) break;
    out.push({ offset: next, size: 4, little, what: 'tiff next IFD' });
    ifd = r32(b, next);
  }
  return out;
}

/** webpFields lists RIFF and chunk sizes and the frame sizes of VP8, VP8L and VP8X. */
function webpFields(b: Uint8Array): Field[] {
  const out: Field[] = [{ offset: 4, size: 4, little: true, what: 'riff size' }];
  for (let o = 12, n = 0; o + 8 <= b.length && n < 64; n++) {
    const type = ascii(b, o, 4);
    out.push({ offset: o + 4, size: 4, little: true, what: `webp ${type} size` });
    if (type === 'VP8X' && o + 18 <= b.length) {
      out.push({ offset: o + 8, size: 1, little: true, what: 'webp VP8X flags' });
      out.push({ offset: o + 12, size: 2, little: true, what: 'webp canvas width' });
      out.push({ offset: o + 15, size: 2, little: true, what: 'webp canvas height' });
    }
    if (type === 'VP8 ' && o + 18 <= b.length) {
      out.push({ offset: o + 14, size: 2, little: true, what: 'webp VP8 width' });
      out.push({ offset: o + 16, size: 2, little: true, what: 'webp VP8 height' });
    }
    if (type === 'VP8L' && o + 13 <= b.length) out.push({ offset: o + 9, size: 4, little: true, what: 'webp VP8L size' });
    const size = le32(b, o + 4);
    o += 8 + size + (size & 1);
  }
  return out;
}

/** lengthFields finds the header fields of b that hold lengths, sizes, counts and offsets. */
export function lengthFields(b: Uint8Array): Field[] {
  let fields: Field[] = [];
  try {
    if (b[0] === 0x89 && b[1] === 0x50) fields = pngFields(b);
    else if (b[0] === 0xff && b[1] === 0xd8) fields = jpegFields(b);
    else if (b[0] === 0x47 && b[1] === 0x49) fields = gifFields(b);
    else if (b[0] === 0x42 && b[1] === 0x4d) fields = bmpFields(b);
    else if ((b[0] === 0x49 && b[1] === 0x49) || (b[0] === 0x4d && b[1] === 0x4d)) fields = tiffFields(b);
    else if (ascii(b, 0, 4) === 'RIFF') fields = webpFields(b);
  } catch {
    // A mangled header just yields fewer fields.
  }
  // Walkers read mangled headers; keep only fields that lie inside the input.
  return fields.filter((f) => f.offset >= 0 && f.offset + f.size <= b.length);
}

/**
 * fixPngCrcs recomputes the CRC of every intact PNG chunk, so that mutations reach the code behind
 * the CRC check instead of all failing at it.
 */
export function fixPngCrcs(b: Uint8Array): void {
  if (!(b[0] === 0x89 && b[1] === 0x50)) return;
  for (let o = 8, n = 0; o + 12 <= b.length && n < 1024; n++) {
    const len = be32(b, o);
    if (o + 12 + len > b.length) return;
    const crc = crc32(b.subarray(o + 4, o + 8 + len));
    writeField(b, { offset: o + 8 + len, size: 4, little: false, what: 'crc' }, crc);
    o += 12 + len;
  }
}

/** headerBiased picks an offset, half the time within the first 512 bytes where headers live. */
function offset(b: Uint8Array, rng: Rng): number {
  return rng.chance(0.5) ? rng.int(Math.min(b.length, 512)) : rng.int(b.length);
}

/** One mutation operator; it may return a new array or change b in place. */
type Op = (b: Uint8Array, rng: Rng, others: readonly Uint8Array[]) => { bytes: Uint8Array; step: string };

const OPS: ReadonlyArray<[weight: number, op: Op]> = [
  [3, (b, rng) => {
    const n = rng.range(1, 8);
    for (let i = 0; i < n; i++) { const o = offset(b, rng); b[o]! ^= 1 << rng.int(8); }
    return { bytes: b, step: `flip ${n} bits` };
  }],
  [2, (b, rng) => {
    const o = offset(b, rng);
    b[o] = rng.pick(INTERESTING_8);
    return { bytes: b, step: `set byte @${o}=${b[o]}` };
  }],
  [2, (b, rng) => {
    const o = offset(b, rng);
    const delta = rng.range(-35, 35);
    b[o] = (b[o]! + delta) & 0xff;
    return { bytes: b, step: `add ${delta} @${o}` };
  }],
  [2, (b, rng) => {
    const size = rng.chance(0.5) ? 2 : 4;
    if (b.length < size) return { bytes: b, step: 'noop' };
    const o = Math.min(offset(b, rng), b.length - size);
    const v = rng.pick(INTERESTING_32);
    writeField(b, { offset: o, size, little: rng.chance(0.5), what: '' }, v);
    return { bytes: b, step: `set u${size * 8} @${o}=${v}` };
  }],
  [6, (b, rng) => {
    const fields = lengthFields(b);
    if (fields.length === 0) return { bytes: b, step: 'noop' };
    const f = rng.pick(fields);
    const v = readField(b, f);
    const max = f.size === 1 ? 0xff : f.size === 2 ? 0xffff : 0xffffffff;
    const nv = rng.pick([0, 1, v - 1, v + 1, v * 2, v >>> 1, max, max >>> 1, b.length, b.length - f.offset, v + rng.range(1, 64), rng.u32()]);
    writeField(b, f, nv);
    return { bytes: b, step: `${f.what} ${v}->${readField(b, f)}` };
  }],
  [2, (b, rng) => {
    const start = rng.int(b.length);
    const len = Math.min(rng.range(1, 1024), b.length - start, MAX_GROWTH_BYTES);
    const at = rng.int(b.length + 1);
    const out = new Uint8Array(b.length + len);
    out.set(b.subarray(0, at), 0);
    out.set(b.subarray(start, start + len), at);
    out.set(b.subarray(at), at + len);
    return { bytes: out, step: `duplicate ${len}@${start} to ${at}` };
  }],
  [2, (b, rng) => {
    const start = offset(b, rng);
    const len = Math.min(rng.range(1, 256), b.length - start);
    const out = new Uint8Array(b.length - len);
    out.set(b.subarray(0, start), 0);
    out.set(b.subarray(start + len), start);
    return { bytes: out, step: `delete ${len}@${start}` };
  }],
  [2, (b, rng) => {
    const n = rng.chance(0.3) ? rng.int(Math.min(b.length, 64)) : rng.int(b.length);
    return { bytes: b.slice(0, n), step: `truncate to ${n}` };
  }],
  [1, (b, rng) => {
    // Long constant runs are the worst case for many entropy decoders (all-zero CCITT or LZW data).
    const start = offset(b, rng);
    const len = Math.min(rng.range(16, 8192), b.length - start);
    const v = rng.pick([0, 0xff, 0x55, 0x80]);
    b.fill(v, start, start + len);
    return { bytes: b, step: `fill ${len}@${start} with ${v}` };
  }],
  [1, (b, rng) => {
    const at = rng.int(b.length + 1);
    const len = rng.range(1, 64);
    const ins = new Uint8Array(len);
    const fill = rng.chance(0.5) ? rng.pick(INTERESTING_8) : -1;
    for (let i = 0; i < len; i++) ins[i] = fill >= 0 ? fill : rng.int(256);
    const out = new Uint8Array(b.length + len);
    out.set(b.subarray(0, at), 0);
    out.set(ins, at);
    out.set(b.subarray(at), at + len);
    return { bytes: out, step: `insert ${len}@${at}` };
  }],
  [1, (b, rng, others) => {
    const other = rng.pick(others);
    const cut = rng.int(b.length + 1);
    const from = rng.int(other.length + 1);
    const tail = other.subarray(from, from + MAX_GROWTH_BYTES);
    const out = new Uint8Array(cut + tail.length);
    out.set(b.subarray(0, cut), 0);
    out.set(tail, cut);
    return { bytes: out, step: `splice @${cut} with another seed @${from}` };
  }],
];

const TOTAL_WEIGHT = OPS.reduce((s, [w]) => s + w, 0);

/**
 * mutate returns a mutated copy of seed (1 to 4 stacked mutations) and the steps taken; seed is
 * not changed. PNG CRCs are repaired most of the time.
 */
export function mutate(seed: Uint8Array, rng: Rng, others: readonly Uint8Array[]): { bytes: Uint8Array; steps: string[] } {
  let b: Uint8Array = seed.slice();
  const steps: string[] = [];
  const n = rng.chance(0.5) ? 1 : rng.range(2, 4);
  for (let i = 0; i < n && b.length > 0; i++) {
    let r = rng.int(TOTAL_WEIGHT);
    let op = OPS[0]![1];
    for (const [w, o] of OPS) {
      if (r < w) { op = o; break; }
      r -= w;
    }
    const res = op(b, rng, others.length > 0 ? others : [seed]);
    b = res.bytes;
    if (b.length > seed.length + MAX_GROWTH_BYTES) b = b.slice(0, seed.length + MAX_GROWTH_BYTES);
    steps.push(res.step);
  }
  if (rng.chance(0.8)) fixPngCrcs(b);
  return { bytes: b, steps };
}
