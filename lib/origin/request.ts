/**
 * The origin request's client part: which of a client's headers go on to the origin. Kept apart
 * from fetch.ts (node:http) so that the HTTP-free core can use it on any runtime.
 */
import type { ProxyConfig } from '../config.js';
import type { RequestHeaders } from '../core/types.js';
import { UNPASSABLE_REQUEST_HEADERS } from '../security/headers.js';

/**
 * originRequestHeaders returns the headers a client request contributes to the origin request:
 * the configured passRequestHeaders, and Referer when includeReferer is set.
 */
export function originRequestHeaders(
  config: Pick<ProxyConfig, 'passRequestHeaders' | 'includeReferer'>,
  client: RequestHeaders,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of config.passRequestHeaders) {
    const n = name.trim().toLowerCase();
    if (n === '' || UNPASSABLE_REQUEST_HEADERS.has(n)) continue;
    const v = client[n];
    if (v === undefined) continue;
    out[n] = typeof v === 'string' ? v : v.join(', ');
  }
  if (config.includeReferer && typeof client.referer === 'string') out.referer = client.referer;
  return out;
}
