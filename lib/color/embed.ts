/**
 * Writing a colour profile into an encoded image, for -keepColorProfile: JPEG APP2
 * `ICC_PROFILE` segments after SOI (and JFIF), a PNG `iCCP` chunk after IHDR, and a WebP `ICCP`
 * chunk after VP8X (a simple-format file is rewritten as extended, as the format requires).
 */
import { deflateSync } from 'node:zlib';
import { bitstreamSize, chunkBytes, makeChunk, riff, riffChunks, vp8xChunk } from '../codecs/webpmux.js';

/** EMBEDDABLE_FORMATS are the output formats a source profile can be written into. */
export const EMBEDDABLE_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp']);

/** ICC_SEGMENT_BYTES is the profile payload of one APP2 segment: 65535 less the length field and the 14-byte header. */
const ICC_SEGMENT_BYTES = 65519;
/** MAX_ICC_SEGMENTS is the segment count the one-byte sequence field allows. */
const MAX_ICC_SEGMENTS = 255;
/** VP8X_ICC is the VP8X flag saying the file carries an ICCP chunk. */
const VP8X_ICC = 0x20;

/** jpegWithProfile inserts icc as APP2 segments after SOI and any APP0; undefined when it cannot fit. */
function jpegWithProfile(b: Uint8Array, icc: Uint8Array): Uint8Array | undefined {
  const n = Math.ceil(icc.length / ICC_SEGMENT_BYTES);
  if (n > MAX_ICC_SEGMENTS || b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  if (b[2] === 0xff && b[3] === 0xe0) at = 4 + ((b[4] << 8) | b[5]);
  const segs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const part = icc.subarray(i * ICC_SEGMENT_BYTES, (i + 1) * ICC_SEGMENT_BYTES);
    const s = new Uint8Array(18 + part.length);
    const len = 16 + part.length;
    s.set([0xff, 0xe2, len >> 8, len & 255]);
    for (let k = 0; k < 11; k++) s[4 + k] = 'ICC_PROFILE'.charCodeAt(k);
    s[16] = i + 1; s[17] = n;
    s.set(part, 18);
    segs.push(s);
  }
  return Buffer.concat([b.subarray(0, at), ...segs, b.subarray(at)]);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** crc32 is PNG's chunk CRC over b. */
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** pngWithProfile inserts an iCCP chunk (keyword "ICC Profile") after IHDR. */
function pngWithProfile(b: Uint8Array, icc: Uint8Array): Uint8Array | undefined {
  if (b.length < 33) return undefined;
  const z = deflateSync(icc);
  const body = new Uint8Array(4 + 13 + z.length);
  body.set([0x69, 0x43, 0x43, 0x50]);
  for (let k = 0; k < 11; k++) body[4 + k] = 'ICC Profile'.charCodeAt(k);
  body.set(z, 17); // keyword NUL and compression method 0 are the two zero bytes before
  const chunk = new Uint8Array(8 + body.length);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, body.length - 4);
  chunk.set(body, 4);
  dv.setUint32(4 + body.length, crc32(body));
  return Buffer.concat([b.subarray(0, 33), chunk, b.subarray(33)]);
}

/** webpWithProfile adds an ICCP chunk, turning a simple file into an extended one. */
function webpWithProfile(b: Uint8Array, icc: Uint8Array): Uint8Array | undefined {
  const chunks = riffChunks(b, 1024);
  const whole = chunks.map((c) => chunkBytes(b, c));
  const iccp = makeChunk('ICCP', icc);
  if (chunks[0]?.fourcc === 'VP8X') {
    const x = new Uint8Array(whole[0]);
    x[8] |= VP8X_ICC;
    return riff([x, iccp, ...whole.slice(1).filter((_, i) => chunks[i + 1].fourcc !== 'ICCP')]);
  }
  const img = whole[0];
  const size = img && bitstreamSize(img);
  if (!size) return undefined;
  const alpha = chunks[0].fourcc === 'VP8L' && (img[12] & 0x10) !== 0 ? 0x10 : 0;
  return riff([vp8xChunk(VP8X_ICC | alpha, size.width, size.height), iccp, ...whole]);
}

/**
 * embedProfile returns encoded (in format) with icc embedded, or undefined when the format
 * cannot carry it (the caller then writes the image untouched and logs why).
 */
export function embedProfile(encoded: Uint8Array, format: string, icc: Uint8Array): Uint8Array | undefined {
  try {
    if (format === 'jpeg') return jpegWithProfile(encoded, icc);
    if (format === 'png') return pngWithProfile(encoded, icc);
    if (format === 'webp') return webpWithProfile(encoded, icc);
  } catch {
    return undefined;
  }
  return undefined;
}
