/**
 * A model of Go's net/url parsing and printing.
 *
 * Signatures cover the remote URL exactly as the Go server prints it with url.URL.String(), so the
 * parse/print round trip must be byte-identical to Go's: WHATWG URL lower-cases hosts, adds a
 * trailing '/', removes dot segments and re-encodes, all of which would change the signed bytes.
 *
 * Strings here are byte strings: every char code is one byte (0-255), as Go strings are bytes.
 * Escaping lives in goescape.ts; its exports are re-exported here.
 */
import { GoURLError, isAlnum, goEscape, goUnescape, validEncoded } from './goescape.js';

export {
  GoURLError, shouldEscape, goEscape, goUnescape, goPathUnescape, goQueryUnescape, toByteString, fromByteString,
} from './goescape.js';
export type { Mode } from './goescape.js';

/** GoUserinfo mirrors url.Userinfo. */
export interface GoUserinfo {
  username: string;
  password?: string;
}

/** GoURL mirrors the fields of url.URL that the proxy uses. */
export interface GoURL {
  scheme: string;
  opaque: string;
  user?: GoUserinfo;
  host: string;
  path: string;
  rawPath: string;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: string;
  fragment: string;
  rawFragment: string;
}

function emptyURL(): GoURL {
  return {
    scheme: '', opaque: '', host: '', path: '', rawPath: '', omitHost: false, forceQuery: false,
    rawQuery: '', fragment: '', rawFragment: '',
  };
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new GoURLError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new GoURLError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new GoURLError(`invalid port ${JSON.stringify(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      return goUnescape(host.slice(0, zone), 'host') + goUnescape(host.slice(zone, i), 'zone') +
        goUnescape(host.slice(i), 'host');
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new GoURLError(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return goUnescape(host, 'host');
}

function validUserinfo(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isAlnum(c) || "-._:~!$&'()*+,;=%@".includes(s[i])) continue;
    return false;
  }
  return true;
}

function parseAuthority(u: GoURL, authority: string): void {
  const i = authority.lastIndexOf('@');
  u.host = parseHost(i < 0 ? authority : authority.slice(i + 1));
  if (i < 0) return;
  const userinfo = authority.slice(0, i);
  if (!validUserinfo(userinfo)) throw new GoURLError('net/url: invalid userinfo');
  const colon = userinfo.indexOf(':');
  if (colon < 0) {
    u.user = { username: goUnescape(userinfo, 'userPassword') };
  } else {
    u.user = {
      username: goUnescape(userinfo.slice(0, colon), 'userPassword'),
      password: goUnescape(userinfo.slice(colon + 1), 'userPassword'),
    };
  }
}

/** setPath mirrors url.URL.setPath: Path is unescaped, RawPath kept only when it differs from the default. */
export function setPath(u: GoURL, p: string): void {
  u.path = goUnescape(p, 'path');
  u.rawPath = goEscape(u.path, 'path') === p ? '' : p;
}

function setFragment(u: GoURL, f: string): void {
  u.fragment = goUnescape(f, 'fragment');
  u.rawFragment = goEscape(u.fragment, 'fragment') === f ? '' : f;
}

// eslint-disable-next-line no-control-regex
const CTL = /[\x00-\x1f\x7f]/;

function parse(raw: string, viaRequest: boolean): GoURL {
  if (CTL.test(raw)) throw new GoURLError('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new GoURLError('empty url');
  const u = emptyURL();
  if (raw === '*') {
    u.path = '*';
    return u;
  }
  let rest: string;
  [u.scheme, rest] = getScheme(raw);
  u.scheme = u.scheme.toLowerCase();
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') {
      u.opaque = rest;
      return u;
    }
    if (viaRequest) throw new GoURLError('invalid URI for request');
    const slash = rest.indexOf('/');
    const segment = slash < 0 ? rest : rest.slice(0, slash);
    if (segment.includes(':')) throw new GoURLError('first path segment in URL cannot contain colon');
  }
  if ((u.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const i = authority.indexOf('/');
    if (i >= 0) {
      rest = authority.slice(i);
      authority = authority.slice(0, i);
    }
    parseAuthority(u, authority);
  } else if (u.scheme !== '' && rest.startsWith('/')) {
    u.omitHost = true;
  }
  setPath(u, rest);
  return u;
}

/** goParse mirrors url.Parse. */
export function goParse(raw: string): GoURL {
  const hash = raw.indexOf('#');
  const u = parse(hash < 0 ? raw : raw.slice(0, hash), false);
  if (hash >= 0 && hash + 1 < raw.length) setFragment(u, raw.slice(hash + 1));
  return u;
}

/** goParseRequestURI mirrors url.ParseRequestURI, which Go's HTTP server applies to the request target. */
export function goParseRequestURI(raw: string): GoURL {
  return parse(raw, true);
}

/** goEscapedPath mirrors url.URL.EscapedPath. */
export function goEscapedPath(u: GoURL): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath, 'path')) {
    try {
      if (goUnescape(u.rawPath, 'path') === u.path) return u.rawPath;
    } catch {
      // fall through to the default encoding, as Go does
    }
  }
  if (u.path === '*') return '*';
  return goEscape(u.path, 'path');
}

/** goEscapedFragment mirrors url.URL.EscapedFragment. */
export function goEscapedFragment(u: GoURL): string {
  if (u.rawFragment !== '' && validEncoded(u.rawFragment, 'fragment')) {
    try {
      if (goUnescape(u.rawFragment, 'fragment') === u.fragment) return u.rawFragment;
    } catch {
      // fall through
    }
  }
  return goEscape(u.fragment, 'fragment');
}

/** goString mirrors url.URL.String. */
export function goString(u: GoURL): string {
  let buf = '';
  if (u.scheme !== '') buf += `${u.scheme}:`;
  if (u.opaque !== '') {
    buf += u.opaque;
  } else {
    if (u.scheme !== '' || u.host !== '' || u.user) {
      if (!(u.omitHost && u.host === '' && !u.user)) {
        if (u.host !== '' || u.path !== '' || u.user) buf += '//';
        if (u.user) {
          buf += goEscape(u.user.username, 'userPassword');
          if (u.user.password !== undefined) buf += `:${goEscape(u.user.password, 'userPassword')}`;
          buf += '@';
        }
        if (u.host !== '') buf += goEscape(u.host, 'host');
      }
    }
    const path = goEscapedPath(u);
    if (path !== '' && path[0] !== '/' && u.host !== '') buf += '/';
    if (buf === '') {
      const slash = path.indexOf('/');
      const segment = slash < 0 ? path : path.slice(0, slash);
      if (segment.includes(':')) buf += './';
    }
    buf += path;
  }
  if (u.forceQuery || u.rawQuery !== '') buf += `?${u.rawQuery}`;
  if (u.fragment !== '') buf += `#${goEscapedFragment(u)}`;
  return buf;
}

/** resolvePath mirrors net/url's resolvePath: merge and remove dot segments (RFC 3986 5.2). */
export function resolvePath(base: string, ref: string): string {
  let full: string;
  if (ref === '') full = base;
  else if (ref[0] !== '/') full = base.slice(0, base.lastIndexOf('/') + 1) + ref;
  else full = ref;
  if (full === '') return '';
  let dst = '/';
  let first = true;
  let elem = '';
  const parts = full.split('/');
  for (elem of parts) {
    if (elem === '.') {
      first = false;
      continue;
    }
    if (elem === '..') {
      const str = dst.slice(1);
      const index = str.lastIndexOf('/');
      dst = '/';
      if (index === -1) first = true;
      else dst += str.slice(0, index);
    } else {
      if (!first) dst += '/';
      dst += elem;
      first = false;
    }
  }
  if (elem === '.' || elem === '..') dst += '/';
  return dst.length > 1 && dst[1] === '/' ? dst.slice(1) : dst;
}

/** goResolveReference mirrors url.URL.ResolveReference (base.ResolveReference(ref)). */
export function goResolveReference(base: GoURL, ref: GoURL): GoURL {
  const u: GoURL = { ...ref, user: ref.user ? { ...ref.user } : undefined };
  if (ref.scheme === '') u.scheme = base.scheme;
  if (ref.scheme !== '' || ref.host !== '' || ref.user) {
    setPath(u, resolvePath(goEscapedPath(ref), ''));
    return u;
  }
  if (ref.opaque !== '') {
    u.user = undefined;
    u.host = '';
    u.path = '';
    return u;
  }
  if (ref.path === '' && !ref.forceQuery && ref.rawQuery === '') {
    u.rawQuery = base.rawQuery;
    if (ref.fragment === '') {
      u.fragment = base.fragment;
      u.rawFragment = base.rawFragment;
    }
  }
  if (ref.path === '' && base.opaque !== '') {
    u.opaque = base.opaque;
    u.user = undefined;
    u.host = '';
    u.path = '';
    return u;
  }
  u.host = base.host;
  u.user = base.user ? { ...base.user } : undefined;
  setPath(u, resolvePath(goEscapedPath(base), goEscapedPath(ref)));
  return u;
}
