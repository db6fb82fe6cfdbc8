/**
 * The PNG header reader, apart from png.ts so that probe (on the main thread) reads a header
 * without loading a decoder library (fast-png).
 */
import { badImage } from './types.js';
import type { PngHeader } from './pngfast-chunks.js';

/** pngHeader reads IHDR: size, bit depth, colour type and interlace method. */
export function pngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 33) throw badImage('The PNG file is truncated');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(12) !== 0x49484452) throw badImage('The PNG file does not start with IHDR');
  return { width: dv.getUint32(16), height: dv.getUint32(20), depth: bytes[24], colorType: bytes[25], interlace: bytes[28] };
}
