/**
 * Header boundaries: which headers cross from the client to the origin, from the origin into the
 * cache, and from the cache to the client. Every list the request path uses is here, built on
 * one set of hop-by-hop names, so a header refused at one boundary cannot slip through another.
 */

/**
 * HOP_BY_HOP names the headers that describe one connection or one hop's proxy credentials
 * (RFC 9110 section 7.6.1, plus the old Keep-Alive and Proxy-Connection): never forwarded, stored
 * or passed on.
 */
export const HOP_BY_HOP: readonly string[] = [
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade',
];

/** SECURITY_HEADERS go on every image response: any site may embed it, nothing in it may run. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'X-Content-Type-Options': 'nosniff',
  // An SVG opened directly must stay an inert picture: no scripts, no plugins, no navigation.
  'Content-Security-Policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; sandbox",
};

/** UNSTORED_HEADERS are never kept in the cache: hop-by-hop headers, and Set-Cookie, which is per-client. */
export const UNSTORED_HEADERS: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'set-cookie']);

/**
 * DROPPED_RESPONSE_HEADERS are origin response headers never kept at all: the unstored ones, and
 * the length and coding of a body that is read decoded (they would describe other bytes).
 */
export const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([...UNSTORED_HEADERS, 'content-length', 'content-encoding']);

/**
 * UNPASSABLE_REQUEST_HEADERS are request headers a client may not dictate to the origin, whatever
 * passRequestHeaders says: they describe the connection, or would make the origin send a partial
 * or empty body that the proxy would then cache and transform as if it were the image.
 */
export const UNPASSABLE_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP, 'host', 'content-length', 'accept-encoding', 'user-agent', 'range', 'if-range', 'if-none-match',
  'if-modified-since', 'if-match', 'if-unmodified-since',
]);

/** CREDENTIAL_HEADERS are dropped when a redirect leaves the original host, as Go's http.Client does. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'cookie', 'proxy-authorization', 'www-authenticate'];

/**
 * OWN_HEADERS are the headers the proxy sets itself on an image answer and never copies from the
 * origin, whatever passResponseHeaders says; hop-by-hop headers are never copied either.
 */
export const OWN_HEADERS: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP, 'content-type', 'content-length', 'x-cache', ...Object.keys(SECURITY_HEADERS).map((h) => h.toLowerCase()),
]);
