/**
 * Media types: parsing a Content-Type header strictly, and matching media types against the
 * configured allow-list (`image/*` style patterns).
 *
 * A type outside the allow-list, and a body that is not a recognisable image, is refused with 403,
 * as the Go server refuses them. A malformed or multi-valued Content-Type is refused with 415: a
 * header that can be read two ways is one a browser might read the dangerous way.
 */
import { ForbiddenError, UnsupportedMediaError } from '../errors.js';
import { sniffImageType } from './sniff.js';

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_RE = new RegExp(`^(${TOKEN})/(${TOKEN})`);
const QUOTED = String.raw`"(?:[^"\\\r\n]|\\.)*"`;
const PARAM_RE = new RegExp(`^(${TOKEN})=(${TOKEN}|${QUOTED})`);

/** MediaType is a parsed Content-Type: lower-case `type/subtype` and its parameters. */
export interface MediaType {
  /** Lower-case `type/subtype`, e.g. `image/png`. */
  type: string;
  /** Parameters with lower-case names, e.g. `{ charset: 'utf-8' }` (quotes removed). */
  params: Record<string, string>;
}

/**
 * parseMediaType parses one Content-Type value; it throws UnsupportedMediaError (415) for a
 * malformed value or a list of several (`image/png, text/html`).
 */
export function parseMediaType(value: string): MediaType {
  const bad = (): never => {
    throw new UnsupportedMediaError('The remote server sent a malformed Content-Type.', 'content_type_malformed');
  };
  let s = value.trim();
  const m = MEDIA_RE.exec(s);
  if (!m) return bad();
  const type = `${m[1]}/${m[2]}`.toLowerCase();
  const params: Record<string, string> = {};
  s = s.slice(m[0].length);
  for (;;) {
    s = s.replace(/^[ \t]+/, '');
    if (s === '') break;
    if (s[0] === ',') {
      throw new UnsupportedMediaError('The remote server sent several Content-Types.', 'content_type_multiple');
    }
    if (s[0] !== ';') return bad();
    s = s.slice(1).replace(/^[ \t]+/, '');
    if (s === '' || s[0] === ';') continue;
    const p = PARAM_RE.exec(s);
    if (!p) {
      if (s.includes(',')) throw new UnsupportedMediaError('The remote server sent several Content-Types.', 'content_type_multiple');
      return bad();
    }
    let v = p[2];
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[p[1].toLowerCase()] = v;
    s = s.slice(p[0].length);
  }
  return { type, params };
}

/** globToRegExp turns a Go path.Match-style pattern into a RegExp: `*` stays within one `/` segment. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const c of pattern.toLowerCase()) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * contentTypeAllowed reports whether the media type `type` (already parsed, without parameters)
 * matches one of `patterns` (`image/*`, `image/png`, `*\/*`); an empty list allows everything.
 */
export function contentTypeAllowed(type: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const t = type.toLowerCase();
  return patterns.some((p) => globToRegExp(p.trim()).test(t));
}

/**
 * checkContentType throws the Go server's answer to a remote content type outside `patterns`:
 * 403, "not allowed".
 */
export function checkContentType(type: string, patterns: readonly string[]): void {
  if (!contentTypeAllowed(type, patterns)) {
    throw new ForbiddenError(`The content type ${type} is not allowed.`, 'content_type_refused');
  }
}

/** notAnImage is the Go server's answer (403) to a body without a usable type that is no image either. */
export function notAnImage(): ForbiddenError {
  return new ForbiddenError('The remote file is not a recognised image.', 'content_type_unknown');
}

/**
 * sniffedContentType is the type of an origin body whose declared type could not be trusted: the
 * sniffed image type, else (when any type is allowed) the declared one or octet-stream; it is
 * checked against `patterns`, and a body that is not an image where types are limited is refused.
 */
export function sniffedContentType(body: Uint8Array, declared: string, patterns: readonly string[]): string {
  let type = sniffImageType(body) ?? '';
  if (!type) {
    if (patterns.length > 0) throw notAnImage();
    type = declared || 'application/octet-stream';
  }
  checkContentType(type, patterns);
  return type;
}
