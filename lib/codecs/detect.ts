/**
 * Format detection from magic bytes, never from the Content-Type an origin claims: the one set
 * of rules behind both the codecs (which decoder runs) and the origin's content sniffing (what
 * an answer without a usable Content-Type is).
 */
import type { ImageFormat } from './types.js';
import { isAvif } from './avif-box.js';

/**
 * SNIFF_BYTES is how far into a file detection reads: every signature fits, and so does the
 * prolog of real SVG files (XML declaration, generator comment, an `svg` doctype with its
 * internal subset of entities, as Illustrator writes); a document whose root element starts
 * later is not taken for SVG.
 */
export const SNIFF_BYTES = 1024;

/** CONTENT_TYPES maps each format to the media type the proxy answers with. */
export const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** at reports whether bytes holds sig at offset `at` (ASCII letters of sig match either case when `anyCase`). */
function at(bytes: Uint8Array, offset: number, sig: readonly number[], anyCase = false): boolean {
  if (bytes.length < offset + sig.length) return false;
  for (let i = 0; i < sig.length; i++) {
    const b = bytes[offset + i];
    if (b !== sig[i] && !(anyCase && b >= 0x41 && b <= 0x5a && b + 0x20 === sig[i])) return false;
  }
  return true;
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');

/**
 * BMP_DIB_SIZES are the DIB header sizes of the BMP variants (core, info, v2-v5, OS/2 2.x), so
 * text starting with "BM" is not taken for a BMP.
 */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);
/** BMP_MIN_BYTES is the file header plus the smallest (core) DIB header. */
const BMP_MIN_BYTES = 26;

function isBmp(b: Uint8Array): boolean {
  if (b.length < BMP_MIN_BYTES || b[0] !== 0x42 || b[1] !== 0x4d) return false;
  return BMP_DIB_SIZES.has((b[14] | (b[15] << 8) | (b[16] << 16) | (b[17] << 24)) >>> 0);
}

const isXmlSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** indexAfter returns the offset just past the first `sig` at or after `from` and before `end`, or -1. */
function indexAfter(b: Uint8Array, from: number, end: number, sig: readonly number[]): number {
  for (let i = from; i + sig.length <= end; i++) if (at(b, i, sig)) return i + sig.length;
  return -1;
}

/**
 * doctypeEnd returns the offset just past an `svg` doctype that starts at `from` (`<!DOCTYPE
 * svg`, external id and internal subset skipped with their quoted strings), or -1 for any other
 * doctype or one that does not end before `end`.
 */
function doctypeEnd(b: Uint8Array, from: number, end: number): number {
  let i = from + DOCTYPE.length;
  if (i >= end || !isXmlSpace(b[i])) return -1;
  while (i < end && isXmlSpace(b[i])) i++;
  if (!at(b, i, SVG_NAME, true)) return -1;
  i += SVG_NAME.length;
  if (i >= end || !(isXmlSpace(b[i]) || b[i] === 0x3e || b[i] === 0x5b)) return -1;
  let quote = 0;
  let subset = false;
  for (; i < end; i++) {
    const c = b[i];
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x5b) {
      subset = true;
    } else if (c === 0x5d) {
      subset = false;
    } else if (c === 0x3e && !subset) {
      return i + 1;
    }
  }
  return -1;
}

const BOM = [0xef, 0xbb, 0xbf];
const PI_OPEN = ascii('<?');
const PI_CLOSE = ascii('?>');
const COMMENT_OPEN = ascii('<!--');
const COMMENT_CLOSE = ascii('-->');
const DOCTYPE = ascii('<!doctype');
const SVG_NAME = ascii('svg');
const SVG_OPEN = ascii('<svg');

/**
 * looksLikeSvg reports whether bytes are an SVG document: within the first SNIFF_BYTES, after an
 * optional BOM, XML declaration, processing instructions, comments and an `svg` doctype, the
 * root element is `<svg` (in either case). HTML with an inline `<svg>` is not SVG, nor is a
 * root whose name merely starts with svg, nor a prefixed `<svg:svg>` root.
 */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  let i = at(bytes, 0, BOM) ? BOM.length : 0;
  for (;;) {
    while (i < end && isXmlSpace(bytes[i])) i++;
    if (at(bytes, i, PI_OPEN)) i = indexAfter(bytes, i + PI_OPEN.length, end, PI_CLOSE);
    else if (at(bytes, i, COMMENT_OPEN)) i = indexAfter(bytes, i + COMMENT_OPEN.length, end, COMMENT_CLOSE);
    else if (at(bytes, i, DOCTYPE, true)) i = doctypeEnd(bytes, i, end);
    else break;
    if (i < 0) return false;
  }
  if (i + SVG_OPEN.length >= end || !at(bytes, i, SVG_OPEN, true)) return false;
  const next = bytes[i + SVG_OPEN.length];
  return isXmlSpace(next) || next === 0x3e || next === 0x2f;
}

/** detectFormat names the image format of bytes from its magic bytes, or undefined if unknown. */
export function detectFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (at(bytes, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (at(bytes, 0, PNG_SIG)) return 'png';
  if (at(bytes, 0, GIF87) || at(bytes, 0, GIF89)) return 'gif';
  if (at(bytes, 0, [0x49, 0x49, 0x2a, 0x00]) || at(bytes, 0, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (isBmp(bytes)) return 'bmp';
  if (at(bytes, 0, RIFF) && at(bytes, 8, WEBP)) return 'webp';
  if (isAvif(bytes)) return 'avif';
  if (looksLikeSvg(bytes)) return 'svg';
  return undefined;
}

/** ISO-BMFF brands of HEIF/HEIC files (AVIF, also ISO-BMFF, is a format detectFormat knows). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

function str(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

/** isoBmffType recognises HEIC and HEIF from the `ftyp` box: major brand, then compatible brands. */
function isoBmffType(b: Uint8Array): string | undefined {
  if (b.length < 12 || str(b, 4, 8) !== 'ftyp') return undefined;
  const boxSize = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  const end = Math.min(b.length, boxSize >= 16 ? boxSize : 16, SNIFF_BYTES);
  const brands = [str(b, 8, 12)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(str(b, i, i + 4));
  if (brands.some((x) => HEIC_BRANDS.has(x))) return 'image/heic';
  if (brands.some((x) => HEIF_BRANDS.has(x))) return 'image/heif';
  return undefined;
}

/**
 * sniffMediaType returns the media type of the image whose first bytes are `bytes`: a format
 * detectFormat knows, or HEIC/HEIF (recognised, not decoded); undefined for anything else.
 */
export function sniffMediaType(bytes: Uint8Array): string | undefined {
  const format = detectFormat(bytes);
  return format ? CONTENT_TYPES[format] : isoBmffType(bytes);
}
