import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostMatcher, unbracket } from '../../../lib/security/hostmatch.js';

test('HostMatcher.matchesName', () => {
  const m = new HostMatcher(['example.com', '*.example.org', 'Upper.Example.NET.', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7', '*.bücher.example', ' spaced.example ']);
  const cases: Array<{ host: string; want: boolean }> = [
    { host: 'example.com', want: true },
    { host: 'EXAMPLE.COM', want: true },
    { host: 'example.com.', want: true },
    { host: 'www.example.com', want: false }, // exact pattern, no subdomains
    { host: 'example.org', want: true }, // *.example.org covers the bare domain
    { host: 'a.example.org', want: true },
    { host: 'a.b.example.org', want: true },
    { host: 'evilexample.org', want: false }, // label boundary
    { host: 'example.org.evil.com', want: false },
    { host: 'upper.example.net', want: true },
    { host: '10.1.2.3', want: true }, // IP literal matches by address
    { host: '11.1.2.3', want: false },
    { host: '[2001:db8::1]', want: true },
    { host: '2001:db8::1', want: true },
    { host: '[2001:db9::1]', want: false },
    { host: '192.0.2.7', want: true },
    { host: '192.0.2.8', want: false },
    { host: 'xn--bcher-kva.example', want: true }, // IDN pattern matches the punycode WHATWG URL produces
    { host: 'a.xn--bcher-kva.example', want: true },
    { host: 'spaced.example', want: true },
    { host: '', want: false },
  ];
  for (const { host, want } of cases) {
    const got = m.matchesName(host);
    assert.equal(got, want, `matchesName(${JSON.stringify(host)}) = ${got}, want ${want}`);
  }
});

test('HostMatcher.matchesAddress', () => {
  const m = new HostMatcher(['10.0.0.0/8', 'fd00::/8', '192.0.2.7', 'example.com', '::ffff:198.51.100.0/120']);
  const cases: Array<{ ip: string; want: boolean }> = [
    { ip: '10.255.0.1', want: true },
    { ip: '::ffff:10.0.0.1', want: true }, // mapped form matches the v4 block
    { ip: 'fd12::1', want: true },
    { ip: 'fe80::1', want: false },
    { ip: '192.0.2.7', want: true },
    { ip: '::ffff:192.0.2.7', want: true },
    { ip: '198.51.100.9', want: true }, // v4 address inside a v6-mapped block
    { ip: '8.8.8.8', want: false },
    { ip: 'example.com', want: false }, // names are not addresses
    { ip: 'not an ip', want: false },
  ];
  for (const { ip, want } of cases) {
    const got = m.matchesAddress(ip);
    assert.equal(got, want, `matchesAddress(${JSON.stringify(ip)}) = ${got}, want ${want}`);
  }
});

test('HostMatcher.hasCidrs and isEmpty', () => {
  const cases: Array<{ patterns: string[]; cidrs: boolean; empty: boolean }> = [
    { patterns: [], cidrs: false, empty: true },
    { patterns: ['', '  '], cidrs: false, empty: true },
    { patterns: ['example.com'], cidrs: false, empty: false },
    { patterns: ['10.0.0.0/8'], cidrs: true, empty: false },
    { patterns: ['*.example.com', '::1/128'], cidrs: true, empty: false },
  ];
  for (const { patterns, cidrs, empty } of cases) {
    const m = new HostMatcher(patterns);
    assert.equal(m.hasCidrs, cidrs, `HostMatcher(${JSON.stringify(patterns)}).hasCidrs = ${m.hasCidrs}, want ${cidrs}`);
    assert.equal(m.isEmpty, empty, `HostMatcher(${JSON.stringify(patterns)}).isEmpty = ${m.isEmpty}, want ${empty}`);
  }
});

test('unbracket strips the brackets of an IPv6 literal and nothing else', () => {
  // One helper now serves the four places that stripped brackets (fetch, policy, two in hostmatch).
  const cases: Array<{ host: string; want: string }> = [
    { host: '[::1]', want: '::1' },
    { host: '[2001:db8::1]', want: '2001:db8::1' },
    { host: '[]', want: '' },
    { host: '[', want: '[' },
    { host: ']', want: ']' },
    { host: '[::1', want: '[::1' },
    { host: '::1]', want: '::1]' },
    { host: 'example.com', want: 'example.com' },
    { host: ' [::1] ', want: ' [::1] ' },
  ];
  for (const { host, want } of cases) {
    const got = unbracket(host);
    assert.equal(got, want, `unbracket(${JSON.stringify(host)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});
