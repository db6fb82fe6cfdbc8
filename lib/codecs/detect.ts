/**
 * Format detection from magic bytes, never from the Content-Type an origin claims.
 */
import type { ImageFormat } from './types.js';
import { isAvif } from './avif-box.js';

/** SVG_SNIFF_BYTES is how far into a text file we look for `<svg`, past XML prologs and comments. */
export const SVG_SNIFF_BYTES = 4096;

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

/** BMP_HEADER_SIZES are the DIB header sizes in use, so text starting with "BM" is not taken for a BMP. */
const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);
const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');

/**
 * looksLikeSvg reports whether bytes are an SVG document: text whose first element is `<svg`,
 * after an optional BOM, XML declaration, comments and doctype.
 */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, SVG_SNIFF_BYTES));
  let s = head.replace(/^\uFEFF/, '');
  // Strip prolog constructs one at a time; a bounded loop keeps hostile input cheap.
  for (let i = 0; i < 64; i++) {
    s = s.trimStart();
    const m = /^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>)/i.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  return /^<svg[\s>/]/i.test(s) || /^<svg:svg[\s>/]/i.test(s);
}

/** detectFormat names the image format of bytes from its magic bytes, or undefined if unknown. */
export function detectFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, PNG_SIG)) return 'png';
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) return 'gif';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x42, 0x4d]) && bytes.length >= 26 && BMP_HEADER_SIZES.has(bytes[14] | (bytes[15] << 8)) && bytes[16] === 0 && bytes[17] === 0) return 'bmp';
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'webp';
  if (isAvif(bytes)) return 'avif';
  if (looksLikeSvg(bytes)) return 'svg';
  return undefined;
}
