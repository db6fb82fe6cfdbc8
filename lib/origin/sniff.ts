/**
 * Content sniffing: recognises the image formats the proxy serves from their first bytes, for
 * origins that send no Content-Type or only `application/octet-stream`.
 */

/** SNIFF_BYTES is how much of a body sniffing looks at; every signature and an SVG prolog fit. */
export const SNIFF_BYTES = 1024;

/** One fixed-offset magic number. */
interface Magic {
  type: string;
  offset: number;
  bytes: readonly number[];
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** MAGICS are the binary signatures, checked in order. */
const MAGICS: readonly Magic[] = [
  { type: 'image/jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/gif', offset: 0, bytes: ascii('GIF87a') },
  { type: 'image/gif', offset: 0, bytes: ascii('GIF89a') },
  { type: 'image/tiff', offset: 0, bytes: [0x49, 0x49, 0x2a, 0x00] },
  { type: 'image/tiff', offset: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] },
];

/** DIB header sizes of the BMP variants (core, info, v2-v5), so text starting "BM" is no BMP. */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function isBMP(b: Uint8Array): boolean {
  if (b.length < 18 || b[0] !== 0x42 || b[1] !== 0x4d) return false;
  const dib = b[14] + (b[15] << 8) + (b[16] << 16) + ((b[17] << 24) >>> 0);
  return BMP_DIB_SIZES.has(dib);
}

/** ISO-BMFF brands of AVIF and HEIF/HEIC files. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

function matches(b: Uint8Array, m: Magic): boolean {
  if (b.length < m.offset + m.bytes.length) return false;
  return m.bytes.every((v, i) => b[m.offset + i] === v);
}

function str(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

/** sniffISOBMFF recognises AVIF and HEIC from the `ftyp` box: major brand, then compatible brands. */
function sniffISOBMFF(b: Uint8Array): string | undefined {
  if (b.length < 12 || str(b, 4, 8) !== 'ftyp') return undefined;
  const boxSize = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  const end = Math.min(b.length, boxSize >= 16 ? boxSize : 16);
  const brands = [str(b, 8, 12)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(str(b, i, i + 4));
  if (brands.some((x) => AVIF_BRANDS.has(x))) return 'image/avif';
  if (brands.some((x) => HEIC_BRANDS.has(x))) return 'image/heic';
  if (brands.some((x) => HEIF_BRANDS.has(x))) return 'image/heif';
  return undefined;
}

/**
 * sniffSVG recognises an SVG document: after an optional BOM, XML declaration, comments,
 * processing instructions and an `svg` doctype, the first element must be `<svg`. HTML that
 * merely contains an inline `<svg>` is not SVG.
 */
function sniffSVG(b: Uint8Array): boolean {
  let s = str(b, 0, SNIFF_BYTES);
  if (s.startsWith('\xef\xbb\xbf')) s = s.slice(3);
  let i = 0;
  for (;;) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (s.startsWith('<?', i)) {
      const e = s.indexOf('?>', i);
      if (e < 0) return false;
      i = e + 2;
    } else if (s.startsWith('<!--', i)) {
      const e = s.indexOf('-->', i);
      if (e < 0) return false;
      i = e + 3;
    } else if (s.startsWith('<!', i)) {
      if (!/^<!DOCTYPE\s+svg[\s>]/i.test(s.slice(i, i + 20))) return false;
      const e = s.indexOf('>', i);
      if (e < 0) return false;
      i = e + 1;
    } else {
      return /^<svg[\s>/]/.test(s.slice(i, i + 5));
    }
  }
}

/**
 * sniffImageType returns the media type of the image whose first bytes are `bytes` (JPEG, PNG,
 * GIF, WebP, TIFF, BMP, SVG, AVIF or HEIC/HEIF), or undefined when it is none of them.
 */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  for (const m of MAGICS) if (matches(bytes, m)) return m.type;
  if (isBMP(bytes)) return 'image/bmp';
  if (bytes.length >= 12 && str(bytes, 0, 4) === 'RIFF' && str(bytes, 8, 12) === 'WEBP') return 'image/webp';
  const iso = sniffISOBMFF(bytes);
  if (iso) return iso;
  if (sniffSVG(bytes)) return 'image/svg+xml';
  return undefined;
}
