/**
 * The proxy request language: `/{options}/{remote_url}` parsed the way the Go server's NewRequest
 * parses it, so that signatures and cache keys agree byte for byte.
 */
import { BadRequestError } from '../errors.js';
import { emptyOptions, formatOptions, isTransform, parseOptions, type Options } from './options.js';
import {
  GoURLError, fromByteString, goEscapedPath, goParse, goParseRequestURI, goPathUnescape,
  goResolveReference, goString, toByteString, type GoURL,
} from './gourl.js';

/** ProxyRequest is one parsed proxy request. */
export interface ProxyRequest {
  /** Remote URL as a WHATWG URL, used for fetching. */
  remote: URL;
  /** Remote URL serialised as Go's url.URL.String() would print it: what signatures cover and the cache key. */
  remoteString: string;
  /**
   * remoteString without its fragment. The two differ only for an encoded remote URL that carries
   * a `#fragment`; option signatures and transformed cache keys replace the fragment, as Go does.
   */
  remoteBase: string;
  options: Options;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ABS_HTTP = /^https?:\/\//;
const ENCODED_HTTP = /^https?%3A%2F/i;
const COLLAPSED = /^(https?):\/+([^/])/;

/** decodeRemote mirrors the Go server's parseURL: base64url, then percent-encoding, then `http:/` repair. */
function decodeRemote(s: string, hasBase: boolean): { url: GoURL; enc: boolean } {
  let enc = false;
  // Go's RawURLEncoding refuses any character outside the alphabet and a length of 4n+1.
  if (BASE64URL.test(s) && s.length % 4 !== 1) {
    const d = Buffer.from(s, 'base64url').toString('latin1');
    // Decoded text is accepted when it is an absolute http URL, or (with a base URL) valid UTF-8,
    // so that "/path" style values that happen to decode to garbage stay unencoded.
    if (ABS_HTTP.test(d) || (hasBase && fromByteString(d) !== undefined)) {
      s = d;
      enc = true;
    }
  }
  if (ENCODED_HTTP.test(s)) {
    try {
      s = goPathUnescape(s);
      enc = true;
    } catch {
      // Go keeps the string as it was when it cannot be unescaped.
    }
  }
  s = s.replace(COLLAPSED, '$1://$2');
  return { url: goParse(s), enc };
}

function badURL(message: string): BadRequestError {
  return new BadRequestError(message, 'bad_url');
}

/** The base URL as Go's url.Parse would hold it. */
function goBase(baseURL: URL): GoURL {
  return goParse(toByteString(baseURL.href));
}

/** whatwgHost is the hostname WHATWG URL gives the authority Go found, to compare with the full parse. */
function whatwgHost(u: GoURL): string | undefined {
  try {
    return new URL(goString({ ...u, user: undefined, path: '', rawPath: '', rawQuery: '', forceQuery: false, fragment: '', rawFragment: '' })).hostname;
  } catch {
    return undefined;
  }
}

/**
 * parseRequest parses the path+query of a proxy request (e.g. "/100x200/https://example.com/a.jpg?x=1").
 *
 * Options may be omitted (`/{remote}` or `//{remote}`). The remote URL may be plain (the proxy query
 * string is its query), percent-encoded or base64url-encoded (the proxy query string is then
 * ignored); relative remote URLs are resolved against baseURL. Throws BadRequestError.
 */
export function parseRequest(pathAndQuery: string, baseURL?: URL): ProxyRequest {
  const raw = toByteString(pathAndQuery);
  if (!raw.startsWith('/')) throw badURL('The request path must start with a slash.');
  let outer: GoURL;
  try {
    outer = goParseRequestURI(raw);
  } catch {
    throw badURL('The request URL is malformed.');
  }
  const path = goEscapedPath(outer).slice(1);
  const hasBase = baseURL !== undefined;

  let url: GoURL | undefined;
  let enc = false;
  let options = emptyOptions();
  try {
    ({ url, enc } = decodeRemote(path, hasBase));
    if (url.scheme === '') url = undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined) {
    const slash = path.indexOf('/');
    if (slash < 0) throw badURL('The request path must be /{options}/{remote URL}.');
    try {
      ({ url, enc } = decodeRemote(path.slice(slash + 1), hasBase));
    } catch (err) {
      if (err instanceof GoURLError) throw badURL('The remote URL could not be parsed.');
      throw err;
    }
    options = parseOptions(path.slice(0, slash));
  }

  if (baseURL !== undefined) url = goResolveReference(goBase(baseURL), url);
  if (url.scheme === '') throw badURL('The remote URL must be absolute, or the proxy needs a base URL.');
  if (url.scheme !== 'http' && url.scheme !== 'https') throw badURL('The remote URL must use http or https.');
  // A plain remote URL owns the proxy query string; an encoded one carries its own.
  if (!enc) url.rawQuery = outer.rawQuery;
  if (url.opaque !== '' || url.host === '') throw badURL('The remote URL has no host.');

  const remoteString = fromByteString(goString(url));
  const remoteBase = fromByteString(goString({ ...url, fragment: '', rawFragment: '' }));
  if (remoteString === undefined || remoteBase === undefined) throw badURL('The remote URL is not valid UTF-8.');

  let remote: URL;
  try {
    remote = new URL(remoteString);
  } catch {
    throw badURL('The remote URL could not be parsed.');
  }
  // Policy checks and the fetch use the WHATWG parse; refuse anything the two parsers see differently.
  const goHost = whatwgHost(url);
  if (remote.hostname === '' || goHost !== remote.hostname || (url.user === undefined && (remote.username !== '' || remote.password !== ''))) {
    throw badURL('The remote URL has an ambiguous host.');
  }
  return { remote, remoteString, remoteBase, options };
}

/**
 * remoteWithOptions returns `remote#canonical options` (without the signature): the message an
 * option signature covers and the cache key of a transformed variant, which are the same string.
 */
export function remoteWithOptions(remote: string, options: Options): string {
  return `${remote}#${formatOptions(options, false)}`;
}

/**
 * cacheKey returns remoteString, or remoteWithOptions(remoteBase, options) when options
 * transform. The signature is not part of the key.
 */
export function cacheKey(req: ProxyRequest): string {
  return isTransform(req.options) ? remoteWithOptions(req.remoteBase, req.options) : req.remoteString;
}
