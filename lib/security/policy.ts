/**
 * Request policy: which requests are admitted (host lists, referrers, signatures, expiry) and which
 * addresses may be contacted (every hop, checked again on the addresses DNS returns).
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { ProxyConfig } from '../config.js';
import { ForbiddenError } from '../errors.js';
import { HostMatcher, normalizeName, unbracket } from './hostmatch.js';
import { isPrivateAddress } from './netguard.js';
import type { ProxyRequest } from '../request/request.js';
import { verifySignature } from '../request/signature.js';

/** Admission is how a request was let in: no restrictions, by allowHosts, or by a valid signature. */
export type Admission = 'open' | 'allowHosts' | 'signature';

/** Resolver returns every address of hostname; tests substitute their own. */
export type Resolver = (hostname: string, options: { family?: number; hints?: number }) => Promise<dns.LookupAddress[]>;

const PRIVATE_MESSAGE = 'The remote host is on a private network, which is refused; start the proxy with -allowPrivateNetworks to allow it.';

/** matchers caches one HostMatcher per host list, so patterns are parsed once per config. */
const matchers = new WeakMap<string[], HostMatcher>();
function matcher(list: string[]): HostMatcher {
  let m = matchers.get(list);
  if (!m) {
    m = new HostMatcher(list);
    matchers.set(list, m);
  }
  return m;
}

/** isLocalhostName reports names that always mean this machine (RFC 6761), without asking DNS. */
function isLocalhostName(name: string): boolean {
  const n = normalizeName(name);
  return n === 'localhost' || n.endsWith('.localhost');
}

/**
 * isExpired reports whether a `vu` expiry (Unix seconds; 0 is none) has passed at now (ms since
 * the epoch). The URL is valid strictly before that second, as in the Go server (`now >= t` is expired).
 */
export function isExpired(validUntil: number, now: number): boolean {
  return validUntil > 0 && now >= validUntil * 1000;
}

/**
 * checkRequest applies allowHosts/denyHosts (by name; CIDR entries to IP literals here), referrers,
 * signature and vu expiry, and returns how the request was admitted.
 *
 * A host on both lists is denied. With neither allowHosts nor a signature key configured every
 * host that is not denied is open; otherwise the host must match allowHosts or the request must
 * carry a valid signature. When allowHosts has CIDR blocks, a host name that matches no name
 * pattern is admitted as 'allowHosts' provisionally: checkHop's lookup then requires every
 * resolved address to lie in those blocks. Throws ForbiddenError; now is ms since the epoch.
 */
export function checkRequest(req: ProxyRequest, referer: string | undefined, config: ProxyConfig, now: number): Admission {
  if (config.referrers.length > 0) {
    let refHost = '';
    try {
      refHost = referer ? new URL(referer).hostname : '';
    } catch {
      refHost = '';
    }
    if (refHost === '' || !matcher(config.referrers).matchesName(refHost)) {
      throw new ForbiddenError('The Referer header is missing or names a host that is not allowed.', 'referrer');
    }
  }
  const host = unbracket(req.remote.hostname);
  if (matcher(config.denyHosts).matchesName(host)) {
    throw new ForbiddenError('The remote host is denied.', 'denied_host');
  }
  if (isExpired(req.options.validUntil, now)) throw new ForbiddenError('The URL has expired.', 'expired');
  const allow = matcher(config.allowHosts);
  if (allow.isEmpty && config.signatureKeys.length === 0) return 'open';
  if (!allow.isEmpty && allow.matchesName(host)) return 'allowHosts';
  if (config.signatureKeys.length > 0 && verifySignature(config.signatureKeys, req)) return 'signature';
  if (allow.hasCidrs && isIP(host) === 0) return 'allowHosts';
  throw new ForbiddenError('The remote host is not allowed and the request has no valid signature.', 'not_allowed');
}

const defaultResolver: Resolver = (hostname, options) =>
  dns.promises.lookup(hostname, { family: options.family ?? 0, hints: options.hints, all: true });

/** HopRules are what checkTarget found out about a hop, for the address checks of its lookup. */
interface HopRules {
  deny: HostMatcher;
  allow: HostMatcher;
  /** The host was admitted only by allowHosts' CIDR blocks, so every resolved address must lie in one. */
  requireCidr: boolean;
}

/** hopRules runs the static checks of a hop (see checkTarget) and returns what its lookup must enforce. */
function hopRules(url: URL, admission: Admission, config: ProxyConfig): HopRules {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ForbiddenError('Only http and https URLs may be fetched.', 'bad_scheme');
  }
  const host = unbracket(url.hostname);
  const deny = matcher(config.denyHosts);
  const allow = matcher(config.allowHosts);
  if (host === '' || deny.matchesName(host)) throw new ForbiddenError('The remote host is denied.', 'denied_host');

  const literal = isIP(host) !== 0;
  let requireCidr = false;
  if (admission === 'allowHosts' && !allow.matchesName(host)) {
    if (literal || !allow.hasCidrs) {
      throw new ForbiddenError('The remote host is not allowed.', 'not_allowed');
    }
    requireCidr = true;
  }
  if (!config.allowPrivateNetworks && (literal ? isPrivateAddress(host) : isLocalhostName(host))) {
    throw new ForbiddenError(PRIVATE_MESSAGE, 'private_network');
  }
  return { deny, allow, requireCidr };
}

/**
 * checkTarget runs the checks of a URL about to be contacted that need no DNS: scheme http/https,
 * the deny list always, allowHosts only when admission is 'allowHosts', and private IP literals
 * (and localhost names) unless config.allowPrivateNetworks. Throws ForbiddenError.
 *
 * The core runs it before the cache too, so an entry stored under a more permissive
 * configuration is not served.
 */
export function checkTarget(url: URL, admission: Admission, config: ProxyConfig): void {
  hopRules(url, admission, config);
}

/**
 * checkHop checks a URL about to be contacted (the first request and every redirect hop) as
 * checkTarget does, and returns a `lookup` function (dns.lookup's signature, for http.request's
 * `lookup` option) that resolves the name and refuses with a ForbiddenError when ANY resolved
 * address is private (unless allowed), is in a denied CIDR block, or — when the host was admitted
 * through allowHosts' CIDR blocks only — lies outside them. It honours the `all` and `family`
 * options. Throws ForbiddenError.
 */
export function checkHop(url: URL, admission: Admission, config: ProxyConfig, resolve: Resolver = defaultResolver): { lookup: LookupFunction } {
  const { deny, allow, requireCidr } = hopRules(url, admission, config);

  /** refusal returns why address may not be contacted, or undefined when it may. */
  const refusal = (address: string): ForbiddenError | undefined => {
    if (!config.allowPrivateNetworks && isPrivateAddress(address)) return new ForbiddenError(PRIVATE_MESSAGE, 'private_network');
    if (deny.matchesAddress(address)) return new ForbiddenError('The remote host is denied.', 'denied_host');
    if (requireCidr && !allow.matchesAddress(address)) return new ForbiddenError('The remote host is not allowed.', 'not_allowed');
    return undefined;
  };

  const lookup = ((hostname: string, options: dns.LookupOptions | number, callback: (...args: unknown[]) => void): void => {
    const opts: dns.LookupOptions = typeof options === 'number' ? { family: options } : (options ?? {});
    const family = typeof opts.family === 'string' ? (opts.family === 'IPv6' ? 6 : opts.family === 'IPv4' ? 4 : 0) : opts.family;
    resolve(hostname, { family, hints: opts.hints }).then((addrs) => {
      if (addrs.length === 0) {
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
        return;
      }
      for (const a of addrs) {
        const err = refusal(a.address);
        if (err) {
          callback(err);
          return;
        }
      }
      if (opts.all) callback(null, addrs);
      else callback(null, addrs[0].address, addrs[0].family);
    }, (err: unknown) => callback(err));
  }) as unknown as LookupFunction;
  return { lookup };
}
