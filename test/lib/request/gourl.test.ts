import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goParse, goString, goResolveReference, resolvePath, goEscape, goUnescape, GoURLError } from '../../../lib/request/gourl.js';

test('goParse then goString round-trips as Go url.Parse/String does', () => {
  const cases: Array<[string, string]> = [
    ['http://example.com', 'http://example.com'],
    ['HTTP://Example.com/', 'http://Example.com/'],
    ['http://example.com/a%2Fb', 'http://example.com/a%2Fb'],
    ['http://example.com/a b', 'http://example.com/a%20b'],
    ['http://example.com/a?b c', 'http://example.com/a?b c'],
    ['http://example.com/a#frag ment', 'http://example.com/a#frag%20ment'],
    ['http://example.com/a#x,y+z', 'http://example.com/a#x,y+z'],
    ['http://u%41:p@example.com/', 'http://uA:p@example.com/'],
    ['http://[fe80::1]:8080/', 'http://[fe80::1]:8080/'],
    ['http://example.com:/', 'http://example.com:/'],
    ['http:opaque', 'http:opaque'],
    ['http:///path', 'http:///path'],
    ['/rel/path', '/rel/path'],
    ['http://example.com/?', 'http://example.com/?'],
  ];
  for (const [input, want] of cases) {
    const got = goString(goParse(input));
    assert.equal(got, want, `goString(goParse(${JSON.stringify(input)})) = ${got}, want ${want}`);
  }
});

test('goParse refuses what Go refuses', () => {
  const cases = ['http://exa mple.com/', 'http://example.com/%zz', 'http://ex%41mple.com/', 'http://a:b:c/',
    'http://[::1/', 'http://example.com/\x01', ':foo', '1a:b/c', 'http://example.com/#%zz', 'http://a b@example.com/'];
  for (const input of cases) {
    assert.throws(() => goParse(input), GoURLError, `goParse(${JSON.stringify(input)}) did not throw`);
  }
});

test('resolvePath removes dot segments as Go does', () => {
  const cases: Array<[string, string, string]> = [
    ['/a/b', '', '/a/b'],
    ['/a/b/../c', '', '/a/c'],
    ['/a/./b', '', '/a/b'],
    ['/a/b/', 'c', '/a/b/c'],
    ['/a/b', 'c', '/a/c'],
    ['/a/b', '/c', '/c'],
    ['/a/b', '../../../c', '/c'],
    ['/a/b', '.', '/a/'],
    ['/a/b', '..', '/'],
    ['/a//b', '', '/a//b'],
    ['', '', ''],
  ];
  for (const [base, ref, want] of cases) {
    const got = resolvePath(base, ref);
    assert.equal(got, want, `resolvePath(${JSON.stringify(base)}, ${JSON.stringify(ref)}) = ${got}, want ${want}`);
  }
});

test('goResolveReference', () => {
  const base = goParse('https://example.com/dir/page?q=1#f');
  const cases: Array<[string, string]> = [
    ['img.jpg', 'https://example.com/dir/img.jpg'],
    ['/img.jpg', 'https://example.com/img.jpg'],
    ['', 'https://example.com/dir/page?q=1#f'],
    ['//other.example/x', 'https://other.example/x'],
    ['http://other.example/a/./b/../c', 'http://other.example/a/c'],
    ['?v=2', 'https://example.com/dir/page?v=2'],
  ];
  for (const [ref, want] of cases) {
    const got = goString(goResolveReference(base, goParse(ref)));
    assert.equal(got, want, `ResolveReference(${JSON.stringify(ref)}) = ${got}, want ${want}`);
  }
});

test('goEscape and goUnescape', () => {
  const cases: Array<[string, 'path' | 'queryComponent' | 'fragment' | 'host', string]> = [
    ['a b?c/d', 'path', 'a%20b%3Fc/d'],
    ['a b&c', 'queryComponent', 'a+b%26c'],
    ['a b!', 'fragment', 'a%20b!'],
    ['\u00c3\u00bc', 'host', '%C3%BC'],
  ];
  for (const [input, mode, want] of cases) {
    const got = goEscape(input, mode);
    assert.equal(got, want, `goEscape(${JSON.stringify(input)}, ${mode}) = ${got}, want ${want}`);
    const back = goUnescape(got, mode);
    assert.equal(back, input, `goUnescape(${JSON.stringify(got)}, ${mode}) = ${back}, want ${input}`);
  }
});
