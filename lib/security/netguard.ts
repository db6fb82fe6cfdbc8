/**
 * Private-network guard: which addresses an internet-facing proxy must never connect to.
 *
 * Everything that is not public unicast is refused, including IPv6 forms that embed an IPv4
 * address (mapped, compatible, NAT64, 6to4), so `[::ffff:127.0.0.1]` cannot sneak past.
 */
import ipaddr from 'ipaddr.js';
import { parseAddress } from './hostmatch.js';

/** Non-public IPv4 blocks (RFC 6890 special-purpose registry, plus multicast and reserved). */
const V4_BLOCKS: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the broadcast 255.255.255.255
];

/** Non-public blocks inside the IPv6 global unicast range 2000::/3. */
const V6_BLOCKS: ReadonlyArray<readonly [string, number]> = [
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, benchmarking, ...)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
];

const v4Blocks = V4_BLOCKS.map(([a, n]) => [ipaddr.IPv4.parse(a), n] as const);
const v6Blocks = V6_BLOCKS.map(([a, n]) => [ipaddr.IPv6.parse(a), n] as const);
const GLOBAL_UNICAST = ipaddr.IPv6.parse('2000::');
const SIX_TO_FOUR = ipaddr.IPv6.parse('2002::');
const NAT64 = ipaddr.IPv6.parse('64:ff9b::');

function v4IsPrivate(a: ipaddr.IPv4): boolean {
  return v4Blocks.some(([net, bits]) => a.match(net, bits));
}

function v4FromBytes(b: number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4(b);
}

function v6IsPrivate(a: ipaddr.IPv6): boolean {
  const b = a.toByteArray();
  const allZero = (from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, which also covers :: and ::1).
  if (allZero(0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0))) {
    return v4IsPrivate(v4FromBytes(b.slice(12, 16)));
  }
  // NAT64 well-known prefix: the last 32 bits are the IPv4 destination.
  if (a.match(NAT64, 96)) return v4IsPrivate(v4FromBytes(b.slice(12, 16)));
  // 6to4: bits 16-48 are the IPv4 address of the tunnel end.
  if (a.match(SIX_TO_FOUR, 16)) return v4IsPrivate(v4FromBytes(b.slice(2, 6)));
  // Outside 2000::/3 nothing is public unicast: ULA fc00::/7, link-local fe80::/10, multicast
  // ff00::/8, discard 100::/64, local NAT64 64:ff9b:1::/48, and everything unassigned.
  if (!a.match(GLOBAL_UNICAST, 3)) return true;
  return v6Blocks.some(([net, bits]) => a.match(net, bits));
}

/**
 * isPrivateAddress reports whether ip is not a public unicast address: loopback, RFC 1918,
 * link-local (169.254/16, fe80::/10), CGNAT 100.64/10, ULA fc00::/7, unspecified 0.0.0.0/8 and ::,
 * multicast, broadcast, reserved, and IPv4-mapped/-compatible/NAT64/6to4 forms embedding any of
 * these.
 *
 * Anything that does not parse as an IP address is treated as private, so a mistake fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const a = parseAddress(ip);
  if (!a) return true;
  return a.kind() === 'ipv4' ? v4IsPrivate(a as ipaddr.IPv4) : v6IsPrivate(a as ipaddr.IPv6);
}
