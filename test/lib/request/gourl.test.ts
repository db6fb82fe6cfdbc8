import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goParse, goString, goResolveReference, resolvePath, goEscape, goUnescape, GoURLError } from '../../../lib/request/gourl.js';

test('goParse then goString round-trips as Go url.Parse/String does', () => {
  const cases: Array<{ input: string; want: string }> = [
    { input: 'http://example.com', want: 'http://example.com' },
    { input: 'HTTP://Example.com/', want: 'http://Example.com/' },
    { input: 'http://example.com/a%2Fb', want: 'http://example.com/a%2Fb' },
    { input: 'http://example.com/a b', want: 'http://example.com/a%20b' },
    { input: 'http://example.com/a?b c', want: 'http://example.com/a?b c' },
    { input: 'http://example.com/a#frag ment', want: 'http://example.com/a#frag%20ment' },
    { input: 'http://example.com/a#x,y+z', want: 'http://example.com/a#x,y+z' },
    { input: 'http://u%41:p@example.com/', want: 'http://uA:p@example.com/' },
    { input: 'http://[fe80::1]:8080/', want: 'http://[fe80::1]:8080/' },
    { input: 'http://example.com:/', want: 'http://example.com:/' },
    { input: 'http:opaque', want: 'http:opaque' },
    { input: 'http:///path', want: 'http:///path' },
    { input: '/rel/path', want: '/rel/path' },
    { input: 'http://example.com/?', want: 'http://example.com/?' },
  ];
  for (const { input, want } of cases) {
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
  const cases: Array<{ base: string; ref: string; want: string }> = [
    { base: '/a/b', ref: '', want: '/a/b' },
    { base: '/a/b/../c', ref: '', want: '/a/c' },
    { base: '/a/./b', ref: '', want: '/a/b' },
    { base: '/a/b/', ref: 'c', want: '/a/b/c' },
    { base: '/a/b', ref: 'c', want: '/a/c' },
    { base: '/a/b', ref: '/c', want: '/c' },
    { base: '/a/b', ref: '../../../c', want: '/c' },
    { base: '/a/b', ref: '.', want: '/a/' },
    { base: '/a/b', ref: '..', want: '/' },
    { base: '/a//b', ref: '', want: '/a//b' },
    { base: '', ref: '', want: '' },
  ];
  for (const { base, ref, want } of cases) {
    const got = resolvePath(base, ref);
    assert.equal(got, want, `resolvePath(${JSON.stringify(base)}, ${JSON.stringify(ref)}) = ${got}, want ${want}`);
  }
});

test('goResolveReference', () => {
  const base = goParse('https://example.com/dir/page?q=1#f');
  const cases: Array<{ ref: string; want: string }> = [
    { ref: 'img.jpg', want: 'https://example.com/dir/img.jpg' },
    { ref: '/img.jpg', want: 'https://example.com/img.jpg' },
    { ref: '', want: 'https://example.com/dir/page?q=1#f' },
    { ref: '//other.example/x', want: 'https://other.example/x' },
    { ref: 'http://other.example/a/./b/../c', want: 'http://other.example/a/c' },
    { ref: '?v=2', want: 'https://example.com/dir/page?v=2' },
  ];
  for (const { ref, want } of cases) {
    const got = goString(goResolveReference(base, goParse(ref)));
    assert.equal(got, want, `ResolveReference(${JSON.stringify(ref)}) = ${got}, want ${want}`);
  }
});

test('goEscape and goUnescape', () => {
  const cases: Array<{ input: string; mode: 'path' | 'queryComponent' | 'fragment' | 'host'; want: string }> = [
    { input: 'a b?c/d', mode: 'path', want: 'a%20b%3Fc/d' },
    { input: 'a b&c', mode: 'queryComponent', want: 'a+b%26c' },
    { input: 'a b!', mode: 'fragment', want: 'a%20b!' },
    { input: '\u00c3\u00bc', mode: 'host', want: '%C3%BC' },
  ];
  for (const { input, mode, want } of cases) {
    const got = goEscape(input, mode);
    assert.equal(got, want, `goEscape(${JSON.stringify(input)}, ${mode}) = ${got}, want ${want}`);
    const back = goUnescape(got, mode);
    assert.equal(back, input, `goUnescape(${JSON.stringify(got)}, ${mode}) = ${back}, want ${input}`);
  }
});
