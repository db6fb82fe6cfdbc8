import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostMatcher, unbracket } from '../../../lib/security/hostmatch.js';

test('HostMatcher.matchesName', () => {
  const m = new HostMatcher(['example.com', '*.example.org', 'Upper.Example.NET.', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7', '*.bücher.example', ' spaced.example ']);
  const cases: Array<[string, boolean]> = [
    ['example.com', true],
    ['EXAMPLE.COM', true],
    ['example.com.', true],
    ['www.example.com', false], // exact pattern, no subdomains
    ['example.org', true], // *.example.org covers the bare domain
    ['a.example.org', true],
    ['a.b.example.org', true],
    ['evilexample.org', false], // label boundary
    ['example.org.evil.com', false],
    ['upper.example.net', true],
    ['10.1.2.3', true], // IP literal matches by address
    ['11.1.2.3', false],
    ['[2001:db8::1]', true],
    ['2001:db8::1', true],
    ['[2001:db9::1]', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['xn--bcher-kva.example', true], // IDN pattern matches the punycode WHATWG URL produces
    ['a.xn--bcher-kva.example', true],
    ['spaced.example', true],
    ['', false],
  ];
  for (const [host, want] of cases) {
    const got = m.matchesName(host);
    assert.equal(got, want, `matchesName(${JSON.stringify(host)}) = ${got}, want ${want}`);
  }
});

test('HostMatcher.matchesAddress', () => {
  const m = new HostMatcher(['10.0.0.0/8', 'fd00::/8', '192.0.2.7', 'example.com', '::ffff:198.51.100.0/120']);
  const cases: Array<[string, boolean]> = [
    ['10.255.0.1', true],
    ['::ffff:10.0.0.1', true], // mapped form matches the v4 block
    ['fd12::1', true],
    ['fe80::1', false],
    ['192.0.2.7', true],
    ['::ffff:192.0.2.7', true],
    ['198.51.100.9', true], // v4 address inside a v6-mapped block
    ['8.8.8.8', false],
    ['example.com', false], // names are not addresses
    ['not an ip', false],
  ];
  for (const [ip, want] of cases) {
    const got = m.matchesAddress(ip);
    assert.equal(got, want, `matchesAddress(${JSON.stringify(ip)}) = ${got}, want ${want}`);
  }
});

test('HostMatcher.hasCidrs and isEmpty', () => {
  const cases: Array<[string[], boolean, boolean]> = [
    [[], false, true],
    [['', '  '], false, true],
    [['example.com'], false, false],
    [['10.0.0.0/8'], true, false],
    [['*.example.com', '::1/128'], true, false],
  ];
  for (const [patterns, cidrs, empty] of cases) {
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
