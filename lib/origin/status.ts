/**
 * What an origin's final status means for the proxy, whichever client fetched it (node:http in
 * fetch.ts, the runtime's fetch in fetch-web.ts): a body to read, an empty answer to pass on, a
 * revalidation, or a refusal with the Go server's status.
 */
import { BadGatewayError, NotFoundError, OriginStatusError } from '../errors.js';

/** REDIRECT_STATUSES are the statuses followed as redirects, as by Go's http.Client. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** FinalStatus is what to do with a response that is not a redirect being followed. */
export type FinalStatus = 'body' | 'empty' | 'not-modified';

/**
 * finalStatus classifies the status of a final response: 'not-modified' for a 304 to a
 * conditional request, 'empty' for 204 (passed on as it is, as the Go server does), 'body' for
 * the other 2xx but 206. Otherwise it throws: 404 for 404, the origin's status for other 4xx/5xx,
 * 502 for a partial body, an unfollowable redirect or any other status.
 */
export function finalStatus(status: number, conditional: boolean): FinalStatus {
  if (status === 304 && conditional) return 'not-modified';
  if (status === 404) throw new NotFoundError();
  if (status === 304 || status < 200) {
    throw new BadGatewayError(`The remote server answered with an unexpected status ${status}.`, 'origin_status');
  }
  if (status >= 300 && status <= 399) {
    throw new BadGatewayError(`The remote server answered with a redirect (${status}) that cannot be followed.`, 'bad_redirect');
  }
  if (status > 299) throw new OriginStatusError(status);
  if (status === 206) throw new BadGatewayError('The remote server sent only part of the image.', 'origin_partial');
  return status === 204 ? 'empty' : 'body';
}

/** resolveLocation resolves a redirect target against the URL that answered with it; only http(s) targets are followed. */
export function resolveLocation(location: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new BadGatewayError('The remote server redirected to an invalid URL.', 'bad_redirect');
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new BadGatewayError('The remote server redirected to an unsupported URL.', 'bad_redirect');
  }
  next.hash = '';
  return next;
}
