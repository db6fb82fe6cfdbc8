/**
 * Host patterns for allowHosts, denyHosts and referrers: exact names, `*.example.com` wildcards and
 * CIDR blocks.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * unbracket returns host without the square brackets an IPv6 literal wears in a URL
 * (`[::1]` -> `::1`); any other host is returned as it is.
 */
export function unbracket(host: string): string {
  return host.length >= 2 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** normalizeName lower-cases a host name, drops a trailing dot and IPv6 brackets, and converts IDNs to ASCII. */
export function normalizeName(name: string): string {
  let n = unbracket(name.trim().toLowerCase());
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (isIP(n) !== 0 || n === '') return n;
  // domainToASCII returns '' for names it cannot convert; keep the lower-cased form then.
  return domainToASCII(n) || n;
}

/** parseAddress parses a strict IPv4 dotted quad or IPv6 address (brackets and zone allowed), or returns undefined. */
export function parseAddress(ip: string): Addr | undefined {
  let s = unbracket(ip.trim());
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) === 0) return undefined;
  try {
    return ipaddr.parse(s);
  } catch {
    return undefined;
  }
}

/**
 * toComparable converts an IPv4-mapped IPv6 address to IPv4, so ::ffff:10.0.0.1 matches 10.0.0.0/8.
 */
function toComparable(a: Addr): Addr {
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) return (a as ipaddr.IPv6).toIPv4Address();
  return a;
}

/**
 * HostMatcher matches host names and addresses against a list of patterns.
 *
 * Patterns are exact host names (case-insensitive, trailing dot ignored), `*.example.com` (which
 * matches example.com and any subdomain on a label boundary, never `evilexample.com`), IP
 * addresses, and CIDR blocks (IPv4 and IPv6). An IP literal host matches by address.
 */
export class HostMatcher {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly cidrs: Array<[Addr, number]> = [];
  private readonly addresses: Addr[] = [];

  /** hasCidrs reports whether any pattern is a CIDR block. */
  readonly hasCidrs: boolean;
  /** isEmpty reports whether there are no patterns at all. */
  readonly isEmpty: boolean;

  constructor(patterns: string[]) {
    for (const raw of patterns) {
      const p = raw.trim();
      if (p === '') continue;
      if (p.includes('/')) {
        try {
          const [addr, bits] = ipaddr.parseCIDR(p);
          // A v4 block also covers the v4-mapped v6 forms, via toComparable.
          this.cidrs.push([addr, bits]);
        } catch {
          // Not a CIDR: keep it as a name so it simply never matches a real host.
          this.names.add(normalizeName(p));
        }
        continue;
      }
      const addr = parseAddress(p);
      if (addr) {
        this.addresses.push(toComparable(addr));
        continue;
      }
      if (p.startsWith('*.')) {
        this.suffixes.push(normalizeName(p.slice(2)));
        continue;
      }
      this.names.add(normalizeName(p));
    }
    this.hasCidrs = this.cidrs.length > 0;
    this.isEmpty = this.names.size === 0 && this.suffixes.length === 0 && this.cidrs.length === 0 &&
      this.addresses.length === 0;
  }

  /**
   * matchesName reports whether hostname matches a name or wildcard pattern; an IP literal
   * hostname (dotted quad or bracketed IPv6, as WHATWG URL prints them) matches by address.
   */
  matchesName(hostname: string): boolean {
    const h = normalizeName(hostname);
    if (h === '') return false;
    if (isIP(h) !== 0) return this.matchesAddress(h);
    if (this.names.has(h)) return true;
    return this.suffixes.some((s) => h === s || h.endsWith(`.${s}`));
  }

  /** matchesAddress reports whether ip equals an address pattern or lies in a CIDR block. */
  matchesAddress(ip: string): boolean {
    const parsed = parseAddress(ip);
    if (!parsed) return false;
    const a = toComparable(parsed);
    for (const b of this.addresses) {
      if (a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString()) return true;
    }
    for (const [net, bits] of this.cidrs) {
      if (a.kind() === net.kind() && a.match(net, bits)) return true;
      // An IPv6 block written as ::ffff:a.b.c.d/n also covers the plain v4 address.
      if (a.kind() === 'ipv4' && net.kind() === 'ipv6' && (a as ipaddr.IPv4).toIPv4MappedAddress().match(net, bits)) return true;
    }
    return false;
  }
}
