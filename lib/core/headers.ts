/**
 * The request headers the core reads, for adapters that copy headers rather than pass them
 * through (a fetch Request's Headers): copying only these keeps the core's input small.
 */
import type { ProxyConfig } from '../config.js';

/**
 * READ_HEADERS are the headers the core may read from any request: Referer (the referrers
 * policy, includeReferer), the conditionals of a client 304, Accept (kept for output format
 * negotiation), and the credential markers Authorization and Cookie, which say that a request was
 * made with credentials.
 */
const READ_HEADERS = ['referer', 'accept', 'if-none-match', 'if-modified-since', 'authorization', 'cookie'];

/** coreHeaderNames lists, lower-case and each once, the request headers the core may read under config. */
export function coreHeaderNames(config: Pick<ProxyConfig, 'passRequestHeaders'>): string[] {
  return [...new Set([...READ_HEADERS, ...config.passRequestHeaders.map((h) => h.trim().toLowerCase()).filter((h) => h !== '')])];
}
