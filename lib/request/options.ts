/**
 * Transformation options: the data behind the `{options}` path segment.
 *
 * The options are one table (OPTIONS) with an entry per field of Options: the tokens that set
 * it, how it prints in the canonical form, whether it asks for a transform, and its default. The
 * canonical string (formatOptions) is the cache key and what option-signatures cover,
 * byte-identical to the Go server's.
 */
import { goAtoi, goFormatFloat, goParseFloat } from './goformat.js';

/**
 * OUTPUT_FORMATS are the output encodings a request may name; each name is also its token. The Go
 * server knows the first three; `webp` and `avif` are ours (issue #11), printed canonically like them.
 */
export const OUTPUT_FORMATS = ['jpeg', 'png', 'tiff', 'webp', 'avif'] as const;

/** OutputFormat is an explicitly requested output encoding. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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
  /** JPEG, WebP and AVIF quality 1-100; 0 means the format's default (JPEG 95). */
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

/**
 * OptionEntry is one field's row of the option table.
 *
 * A field is set by exact tokens (`fit`, `png`), by a prefix followed by a value (`r90`), or, for
 * width and height, by the size token (see applySize), which no entry claims.
 */
export interface OptionEntry<V> {
  /** The unset value; a field at its default is left out of the canonical form. */
  default: V;
  /** Exact tokens that set the field, each to its value. */
  exact?: Readonly<Record<string, V>>;
  /**
   * A prefix token: `parse` turns what follows the prefix into the new value; it is given the
   * current value, since Go leaves some fields alone on a bad value.
   */
  prefix?: { token: string; parse(rest: string, current: V): V };
  /** The field's token in the canonical form, or undefined to leave it out. */
  print(value: V, o: Readonly<Options>): string | undefined;
  /** Whether the value asks for a change to the image. */
  transforms(value: V): boolean;
}

/** OptionTable has exactly one entry per field of Options: a missing or unknown field does not compile. */
export type OptionTable = { readonly [K in keyof Options]: OptionEntry<Options[K]> };

/** Go's parse helpers return 0 on error, and the Go server assigns that 0: last token wins. */
const float = (v: string): number => goParseFloat(v) ?? 0;
const int = (v: string): number => goAtoi(v) ?? 0;
const never = (): boolean => false;

const truthy = (v: boolean): boolean => v;
const nonZero = (v: number): boolean => v !== 0;

/** flag is a boolean field set by one exact token. */
function flag(token: string, transforms: boolean): OptionEntry<boolean> {
  return { default: false, exact: { [token]: true }, print: (v) => (v ? token : undefined), transforms: transforms ? truthy : never };
}

/**
 * number is a numeric field set by a prefix token; 0 is unset and prints nothing. Go prints
 * integer fields with %d and float fields with %v, hence `print`.
 */
function number(token: string, parse: (v: string) => number, kind: 'int' | 'float'): OptionEntry<number> {
  const print = kind === 'int' ? String : goFormatFloat;
  return { default: 0, prefix: { token, parse }, print: (v) => (v !== 0 ? `${token}${print(v)}` : undefined), transforms: nonZero };
}

/** OPTIONS is the option table. Adding a token means adding a field to Options and its entry here. */
export const OPTIONS: OptionTable = {
  // The size is printed whole by width's entry, always, even as `0x0`.
  width: { default: 0, print: (_v, o) => `${goFormatFloat(o.width)}x${goFormatFloat(o.height)}`, transforms: nonZero },
  height: { default: 0, print: () => undefined, transforms: nonZero },
  // fit alone changes nothing: it only says how a size is applied.
  fit: flag('fit', false),
  rotate: number('r', int, 'int'),
  flipVertical: flag('fv', true),
  flipHorizontal: flag('fh', true),
  quality: number('q', int, 'int'),
  signature: {
    default: '',
    prefix: { token: 's', parse: (v) => v },
    print: (v) => (v !== '' ? `s${v}` : undefined),
    transforms: never,
  },
  scaleUp: flag('scaleUp', false),
  format: {
    default: '',
    exact: Object.fromEntries(OUTPUT_FORMATS.map((f) => [f, f])),
    print: (v) => (v !== '' ? v : undefined),
    transforms: (v) => v !== '',
  },
  cropX: number('cx', float, 'float'),
  cropY: number('cy', float, 'float'),
  cropWidth: number('cw', float, 'float'),
  cropHeight: number('ch', float, 'float'),
  // Smart crop needs a size, which is a transform of its own.
  smartCrop: flag('sc', false),
  trim: flag('trim', true),
  validUntil: {
    default: 0,
    // Go only sets ValidUntil for a positive value and otherwise leaves the earlier one.
    prefix: { token: 'vu', parse: (v, current) => { const t = goAtoi(v); return t !== undefined && t > 0 ? t : current; } },
    print: (v) => (v !== 0 ? `vu${v}` : undefined),
    transforms: never,
  },
};

type Field = keyof Options;
const FIELDS = Object.keys(OPTIONS) as Field[];
/** entry returns a field's row with its value type widened, for the loops below. */
const entry = (f: Field): OptionEntry<unknown> => OPTIONS[f] as OptionEntry<unknown>;
/** Applies one token (its text after the prefix, for a prefix token) to the options. */
type Setter = (o: Options, rest: string) => void;

/**
 * DEFAULTS is every field at its default, copied by emptyOptions. It is built by adding one
 * field after another (not by Object.fromEntries), so V8 keeps it, and every copy, a fast-mode
 * object: property reads stay cheap on the request path.
 */
const DEFAULTS = {} as Record<Field, unknown>;
for (const f of FIELDS) DEFAULTS[f] = OPTIONS[f].default;

/** EXACT maps each exact token to what it sets. */
const EXACT = new Map<string, Setter>();
/** PREFIXES are the prefix tokens, longest first, so that a longer prefix is never taken by a shorter one. */
const PREFIXES: Array<{ token: string; set: Setter }> = [];
for (const f of FIELDS) {
  const { exact = {}, prefix } = entry(f);
  const write = (o: Options, value: unknown): void => { (o as unknown as Record<Field, unknown>)[f] = value; };
  for (const [token, value] of Object.entries(exact)) {
    if (EXACT.has(token)) throw new Error(`option token ${token} is claimed twice`);
    EXACT.set(token, (o) => write(o, value));
  }
  if (prefix) PREFIXES.push({ token: prefix.token, set: (o, rest) => write(o, prefix.parse(rest, o[f])) });
}
PREFIXES.sort((a, b) => b.token.length - a.token.length);

/** TRANSFORMING are the fields whose value can make a request a transform. */
const TRANSFORMING = FIELDS.filter((f) => OPTIONS[f].transforms !== never);

/** emptyOptions returns an Options value with every field unset. */
export function emptyOptions(): Options {
  return { ...DEFAULTS } as Options;
}

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

/** applyToken applies one token: an exact token, else a prefix (`sc` is smart crop, not a signature `c`), else a size. */
function applyToken(o: Options, tok: string): void {
  const exact = EXACT.get(tok);
  if (exact) return exact(o, tok);
  for (const p of PREFIXES) {
    if (tok.startsWith(p.token)) return p.set(o, tok.slice(p.token.length));
  }
  applySize(o, tok);
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
    if (tok !== '') applyToken(o, tok);
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
  const parts: string[] = [];
  for (const f of FIELDS) {
    if (f === 'signature' && !withSignature) continue;
    const t = entry(f).print(o[f], o);
    if (t !== undefined) parts.push(t);
  }
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
  for (const f of TRANSFORMING) {
    if (entry(f).transforms(o[f])) return true;
  }
  return false;
}
