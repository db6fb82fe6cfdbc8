/**
 * A model of Go's net/url escaping and unescaping, on byte strings (every char code one byte,
 * as Go strings are bytes), and the conversions between byte strings and text.
 */

/** GoURLError is a URL Go's net/url would refuse to parse. */
export class GoURLError extends Error {}

/** Encoding modes of net/url's escape and unescape. */
export type Mode = 'path' | 'pathSegment' | 'host' | 'zone' | 'userPassword' | 'queryComponent' | 'fragment';

/** isAlnum reports an ASCII letter or digit. */
export const isAlnum = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);

/** shouldEscape mirrors net/url's shouldEscape. */
export function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path': return ch === '?';
      case 'pathSegment': return ch === '/' || ch === ';' || ch === ',' || ch === '?';
      case 'userPassword': return ch === '@' || ch === '/' || ch === '?' || ch === ':';
      case 'queryComponent': return true;
      case 'fragment': return false;
      default: break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

const HEX = '0123456789ABCDEF';
const unhex = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
};
const isHex = (c: number): boolean => unhex(c) >= 0;

/** goEscape mirrors net/url's escape: upper-case %XX for every byte shouldEscape names. */
export function goEscape(s: string, mode: Mode): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (shouldEscape(c, mode)) {
      if (c === 0x20 && mode === 'queryComponent') out += '+';
      else out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
    } else {
      out += s[i];
    }
  }
  return out;
}

/** goUnescape mirrors net/url's unescape; throws GoURLError where Go returns an error. */
export function goUnescape(s: string, mode: Mode): string {
  let n = 0;
  let hasPlus = false;
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      n++;
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) {
        throw new GoURLError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      // Hosts may only percent-encode non-ASCII bytes (and %25 for zone separators).
      if (mode === 'host' && unhex(s.charCodeAt(i + 1)) < 8 && s.slice(i, i + 3) !== '%25') {
        throw new GoURLError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      if (mode === 'zone') {
        const v = unhex(s.charCodeAt(i + 1)) * 16 + unhex(s.charCodeAt(i + 2));
        if (s.slice(i, i + 3) !== '%25' && v !== 0x20 && shouldEscape(v, 'host')) {
          throw new GoURLError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
        }
      }
      i += 3;
    } else {
      if (c === 0x2b) hasPlus = mode === 'queryComponent';
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
        throw new GoURLError(`invalid character ${JSON.stringify(s[i])} in host name`);
      }
      i++;
    }
  }
  if (n === 0 && !hasPlus) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      out += String.fromCharCode(unhex(s.charCodeAt(i + 1)) * 16 + unhex(s.charCodeAt(i + 2)));
      i += 2;
    } else if (c === 0x2b && mode === 'queryComponent') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

/** goPathUnescape mirrors url.PathUnescape. */
export function goPathUnescape(s: string): string {
  return goUnescape(s, 'pathSegment');
}

/** goQueryUnescape mirrors url.QueryUnescape. */
export function goQueryUnescape(s: string): string {
  return goUnescape(s, 'queryComponent');
}

/** validEncoded mirrors net/url's validEncoded: may s be printed as it is? */
export function validEncoded(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if ("!$&'()*+,;=:@[]%".includes(ch)) continue;
    if (shouldEscape(s.charCodeAt(i), mode)) return false;
  }
  return true;
}

/** toByteString encodes s as UTF-8, one char per byte. */
export function toByteString(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** fromByteString decodes a byte string as UTF-8, or returns undefined when it is not valid UTF-8. */
export function fromByteString(b: string): string | undefined {
  try {
    return utf8.decode(Buffer.from(b, 'latin1'));
  } catch {
    return undefined;
  }
}
