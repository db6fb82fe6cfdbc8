/**
 * Transformation options: the data behind the `{options}` path segment.
 *
 * The grammar is a table with one entry per token; the canonical string (formatOptions) is
 * the cache key and what option-signatures cover, byte-identical to the Go server's.
 */
import { goAtoi, goFormatFloat, goParseFloat } from './goformat.js';

/** OutputFormat is an explicitly requested output encoding. */
export type OutputFormat = 'jpeg' | 'png' | 'tiff';

/**
 * Options are the transformations requested for one image.
 *
 * Width, height and crop values follow one rule: an integer is pixels, 0 < v < 1 is a fraction
 * of the source image, and 0 (or negative, for sizes) means unset.
 */
export interface Options {
  /** Output width: pixels, or a fraction of the source when 0 < width < 1. */
  width: number;
  /** Output height: pixels, or a fraction of the source when 0 < height < 1. */
  height: number;
  /** Scale to fit inside width x height instead of covering and centre-cropping. */
  fit: boolean;
  /** Counter-clockwise rotation in degrees; only 90, 180 and 270 (mod 360) take effect. */
  rotate: number;
  /** Flip top to bottom (applied after rotation). */
  flipVertical: boolean;
  /** Flip left to right (applied after rotation). */
  flipHorizontal: boolean;
  /** JPEG quality 1-100; 0 means the default (95). */
  quality: number;
  /** Base64url HMAC-SHA256 signature of the request, or '' when unsigned. */
  signature: string;
  /** Allow output larger than the source. */
  scaleUp: boolean;
  /** Requested output format, or '' to keep the source's. */
  format: OutputFormat | '';
  /** Crop rectangle left edge; negative counts from the right edge. */
  cropX: number;
  /** Crop rectangle top edge; negative counts from the bottom edge. */
  cropY: number;
  /** Crop rectangle width; 0 means to the edge. */
  cropWidth: number;
  /** Crop rectangle height; 0 means to the edge. */
  cropHeight: number;
  /** Content-aware crop to the requested aspect ratio (needs a size). */
  smartCrop: boolean;
  /** Remove borders that have the top-left pixel's exact colour. */
  trim: boolean;
  /** Unix time (seconds) after which the request is refused; 0 means no expiry. */
  validUntil: number;
}

/** emptyOptions returns an Options value with every field unset. */
export function emptyOptions(): Options {
  return {
    width: 0, height: 0, fit: false, rotate: 0, flipVertical: false, flipHorizontal: false,
    quality: 0, signature: '', scaleUp: false, format: '', cropX: 0, cropY: 0, cropWidth: 0,
    cropHeight: 0, smartCrop: false, trim: false, validUntil: 0,
  };
}

/** One grammar entry: how a token is recognised and what it sets. */
interface Rule {
  /** Exact token, or prefix when `prefix` is true. */
  token: string;
  prefix?: boolean;
  /** Applies the token (with the prefix removed) to the options. */
  apply(o: Options, value: string): void;
}

/** Go's parse helpers return 0 on error, and the Go server assigns that 0: last token wins. */
const float = (v: string): number => goParseFloat(v) ?? 0;
const int = (v: string): number => goAtoi(v) ?? 0;

/**
 * RULES is the option grammar, tried in order; the first matching entry takes the token.
 * Exact tokens come before prefixes so that `sc` is smart crop, not a signature `c`, and
 * `scaleUp` is not a signature either. Sizes are handled after the table (see applySize).
 */
const RULES: readonly Rule[] = [
  { token: 'fit', apply: (o) => { o.fit = true; } },
  { token: 'fv', apply: (o) => { o.flipVertical = true; } },
  { token: 'fh', apply: (o) => { o.flipHorizontal = true; } },
  { token: 'scaleUp', apply: (o) => { o.scaleUp = true; } },
  { token: 'jpeg', apply: (o) => { o.format = 'jpeg'; } },
  { token: 'png', apply: (o) => { o.format = 'png'; } },
  { token: 'tiff', apply: (o) => { o.format = 'tiff'; } },
  { token: 'sc', apply: (o) => { o.smartCrop = true; } },
  { token: 'trim', apply: (o) => { o.trim = true; } },
  { token: 'r', prefix: true, apply: (o, v) => { o.rotate = int(v); } },
  { token: 'q', prefix: true, apply: (o, v) => { o.quality = int(v); } },
  { token: 's', prefix: true, apply: (o, v) => { o.signature = v; } },
  { token: 'cx', prefix: true, apply: (o, v) => { o.cropX = float(v); } },
  { token: 'cy', prefix: true, apply: (o, v) => { o.cropY = float(v); } },
  { token: 'cw', prefix: true, apply: (o, v) => { o.cropWidth = float(v); } },
  { token: 'ch', prefix: true, apply: (o, v) => { o.cropHeight = float(v); } },
  {
    token: 'vu', prefix: true, apply: (o, v) => {
      // Go only sets ValidUntil for a positive value and otherwise leaves the earlier one.
      const t = goAtoi(v);
      if (t !== undefined && t > 0) o.validUntil = t;
    },
  },
];

/** applySize handles `{w}x{h}`, `{w}x`, `x{h}` and a bare `{n}` (both sides). */
function applySize(o: Options, tok: string): void {
  const i = tok.indexOf('x');
  if (i >= 0) {
    const w = tok.slice(0, i);
    const h = tok.slice(i + 1);
    if (w !== '') o.width = float(w);
    if (h !== '') o.height = float(h);
    return;
  }
  const n = goParseFloat(tok);
  if (n !== undefined) {
    o.width = n;
    o.height = n;
  }
}

/**
 * parseOptions parses a comma-separated option list.
 *
 * Tokens may come in any order; a later duplicate overrides an earlier one; unknown tokens are
 * ignored. Never throws.
 */
export function parseOptions(str: string): Options {
  const o = emptyOptions();
  for (const tok of str.split(',')) {
    if (tok === '') continue;
    const rule = RULES.find((r) => (r.prefix ? tok.startsWith(r.token) : tok === r.token));
    if (rule) rule.apply(o, rule.prefix ? tok.slice(rule.token.length) : '');
    else applySize(o, tok);
  }
  return o;
}

/**
 * formatOptions prints the canonical form of o: the size always as `{w}x{h}`, then every set
 * field, sorted lexically and joined by commas, numbers as Go's `%v` prints them.
 *
 * With `withSignature` false the signature token is left out, which is the form a signature
 * itself covers.
 */
export function formatOptions(o: Options, withSignature = true): string {
  const f = goFormatFloat;
  const parts = [`${f(o.width)}x${f(o.height)}`];
  if (o.fit) parts.push('fit');
  if (o.rotate !== 0) parts.push(`r${o.rotate}`);
  if (o.flipVertical) parts.push('fv');
  if (o.flipHorizontal) parts.push('fh');
  if (o.quality !== 0) parts.push(`q${o.quality}`);
  if (withSignature && o.signature !== '') parts.push(`s${o.signature}`);
  if (o.scaleUp) parts.push('scaleUp');
  if (o.format !== '') parts.push(o.format);
  if (o.cropX !== 0) parts.push(`cx${f(o.cropX)}`);
  if (o.cropY !== 0) parts.push(`cy${f(o.cropY)}`);
  if (o.cropWidth !== 0) parts.push(`cw${f(o.cropWidth)}`);
  if (o.cropHeight !== 0) parts.push(`ch${f(o.cropHeight)}`);
  if (o.smartCrop) parts.push('sc');
  if (o.trim) parts.push('trim');
  if (o.validUntil !== 0) parts.push(`vu${o.validUntil}`);
  // Go's sort.Strings compares bytes; all tokens are ASCII, so UTF-16 order is the same.
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.join(',');
}

/**
 * isTransform reports whether o asks for any change to the image.
 *
 * A signature, an expiry, scaleUp or fit alone change nothing; smart crop needs a size.
 */
export function isTransform(o: Options): boolean {
  return o.width !== 0 || o.height !== 0 || o.rotate !== 0 || o.flipHorizontal ||
    o.flipVertical || o.quality !== 0 || o.format !== '' || o.cropX !== 0 || o.cropY !== 0 ||
    o.cropWidth !== 0 || o.cropHeight !== 0 || o.trim;
}
