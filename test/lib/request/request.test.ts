import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest, cacheKey, remoteWithOptions } from '../../../lib/request/request.js';
import { signURL } from '../../../lib/request/signature.js';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import { BadRequestError } from '../../../lib/errors.js';

const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });

test('parseRequest matches the Go server (data_test.go cases and more)', () => {
  // [proxy path+query, want remoteString, want options]
  const cases: Array<[string, string, Partial<Options>]> = [
    // options that do not parse fully are ignored, not errors
    ['/s/http://example.com/', 'http://example.com/', {}],
    ['/1xs/http://example.com/', 'http://example.com/', { width: 1 }],
    // plain remote URLs, with and without options
    ['/http://example.com/foo', 'http://example.com/foo', {}],
    ['//http://example.com/foo', 'http://example.com/foo', {}],
    ['//https://example.com/foo', 'https://example.com/foo', {}],
    ['/1x2/http://example.com/foo', 'http://example.com/foo', { width: 1, height: 2 }],
    ['//http://example.com/foo?bar', 'http://example.com/foo?bar', {}],
    ['/100x200/https://example.com/a.jpg?x=1&y=%20z', 'https://example.com/a.jpg?x=1&y=%20z', { width: 100, height: 200 }],
    // collapsed or tripled slashes are repaired
    ['/http:/example.com/foo', 'http://example.com/foo', {}],
    ['/http:///example.com/foo', 'http://example.com/foo', {}],
    ['/x/https:/example.com/foo', 'https://example.com/foo', {}],
    // base64url, with and without options; the proxy query is not appended
    ['/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', 'http://example.com/foo', {}],
    ['//aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', 'http://example.com/foo', {}],
    ['/x/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', 'http://example.com/foo', {}],
    ['/x/aHR0cHM6Ly9leGFtcGxlLmNvbS9mb28_YmFy', 'https://example.com/foo?bar', {}],
    ['/x/aHR0cHM6Ly9leGFtcGxlLmNvbS9mb28_YmFy?baz', 'https://example.com/foo?bar', {}],
    ['/x/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw?baz', 'http://example.com/foo', {}],
    // escaped path characters are kept as given
    ['/http://example.com/%2C', 'http://example.com/%2C', {}],
    ['/x/http://example.com/a%2Fb', 'http://example.com/a%2Fb', {}],
    // percent-encoded remote URLs; the proxy query is not appended
    ['/1x2/http%3A%2F%2Fexample.com%2Ffoo', 'http://example.com/foo', { width: 1, height: 2 }],
    ['/1x2/http%3A%2F%2Fexample.com%2Fhttp%2Fstuff', 'http://example.com/http/stuff', { width: 1, height: 2 }],
    ['/http%3A%2F%2Fexample.com%2Ffoo', 'http://example.com/foo', {}],
    ['/HTTP%3a%2f%2fexample.com%2Ffoo', 'http://example.com/foo', {}],
    ['/http%3A%2Fexample.com%2Ffoo', 'http://example.com/foo', {}],
    ['/http%3A%2F%2F%2Fexample.com%2Ffoo', 'http://example.com/foo', {}],
    ['//http%3A%2F%2Fexample.com%2Ffoo', 'http://example.com/foo', {}],
    ['/http%3A%2F%2Fexample.com%2Ffoo%3Ftest%3D1%26test%3D2', 'http://example.com/foo?test=1&test=2', {}],
    ['/1x2/http%3A%2F%2Fexample.com%2Ffoo%3Ftest%3D1%26test%3D2', 'http://example.com/foo?test=1&test=2', { width: 1, height: 2 }],
    ['/x/http%3A%2F%2Fexample.com%2Ffoo?more=query', 'http://example.com/foo', {}],
    // Go's url.String(): host case kept, no trailing slash added, dot segments kept, scheme lower-cased
    ['/x/http://Example.COM', 'http://Example.COM', {}],
    ['/x/HTTP://Example.COM/A/../b', 'http://Example.COM/A/../b', {}],
    ['/x/http://example.com:8080/a.jpg', 'http://example.com:8080/a.jpg', {}],
    ['/x/http://user:p%40ss@example.com/a', 'http://user:p%40ss@example.com/a', {}],
    ['/x/http://[::1]:80/a', 'http://[::1]:80/a', {}],
    // characters Go escapes on output: the raw path is not valid, so Path is re-escaped
    ['/x/http://example.com/a|b', 'http://example.com/a%7Cb', {}],
    ['/x/http://example.com/%2C|"{}', 'http://example.com/,%7C%22%7B%7D', {}],
    ['/x/http://example.com/a b', 'http://example.com/a%20b', {}],
    // query kept raw, even characters a browser would encode
    ['/x/http://example.com/a?q="x"|{}', 'http://example.com/a?q="x"|{}', {}],
    // a trailing '?' with an empty query is dropped, as Go's server does
    ['/x/http://example.com/a?', 'http://example.com/a', {}],
    // options in any order
    ['/q40,400x400/https://octodex.github.com/images/codercat.jpg', 'https://octodex.github.com/images/codercat.jpg', { width: 400, height: 400, quality: 40 }],
  ];
  for (const [input, want, wantOpts] of cases) {
    let got;
    try {
      got = parseRequest(input);
    } catch (err) {
      assert.fail(`parseRequest(${JSON.stringify(input)}) threw ${(err as Error).message}, want ${want}`);
    }
    assert.equal(got.remoteString, want, `parseRequest(${JSON.stringify(input)}).remoteString = ${got.remoteString}, want ${want}`);
    assert.deepEqual(got.options, opts(wantOpts), `parseRequest(${JSON.stringify(input)}).options = ${JSON.stringify(got.options)}, want ${JSON.stringify(opts(wantOpts))}`);
  }
});

test('parseRequest WHATWG remote is the fetchable form of the same URL', () => {
  const cases: Array<[string, string]> = [
    ['/x/http://Example.COM', 'http://example.com/'],
    ['/x/http://example.com/a|b', 'http://example.com/a%7Cb'],
    ['/x/http://[::1]:80/a', 'http://[::1]/a'],
    ['/x/https://bücher.example/a', 'https://xn--bcher-kva.example/a'],
  ];
  for (const [input, want] of cases) {
    const got = parseRequest(input).remote.href;
    assert.equal(got, want, `parseRequest(${JSON.stringify(input)}).remote = ${got}, want ${want}`);
  }
});

test('parseRequest escapes non-ASCII as Go does', () => {
  const cases: Array<[string, string]> = [
    ['/x/https://bücher.example/ä', 'https://b%C3%BCcher.example/%C3%A4'],
    // base64 of "http://example.com/🍏-some"
    ['/x/aHR0cDovL2V4YW1wbGUuY29tL_CfjY8tc29tZQ', 'http://example.com/%F0%9F%8D%8F-some'],
  ];
  for (const [input, want] of cases) {
    const got = parseRequest(input).remoteString;
    assert.equal(got, want, `parseRequest(${JSON.stringify(input)}).remoteString = ${got}, want ${want}`);
  }
});

test('parseRequest with a base URL', () => {
  const base = new URL('https://example.com/');
  const cases: Array<[string, string]> = [
    ['/x/path', 'https://example.com/path'],
    ['/x/dir/file.jpg?v=1', 'https://example.com/dir/file.jpg?v=1'],
    // base64 of "已然" — valid UTF-8, so taken as encoded (Go's rule)
    ['/x/5bey54S2', 'https://example.com/%E5%B7%B2%E7%84%B6'],
    // base64 of "/img/a.jpg": a relative encoded URL is allowed with a base
    [`/x/${Buffer.from('/img/a.jpg').toString('base64url')}`, 'https://example.com/img/a.jpg'],
    // absolute URLs still win over the base, and Go's ResolveReference removes dot segments
    ['/x/http://other.example/a/../b', 'http://other.example/b'],
  ];
  for (const [input, want] of cases) {
    const got = parseRequest(input, base).remoteString;
    assert.equal(got, want, `parseRequest(${JSON.stringify(input)}, ${base}).remoteString = ${got}, want ${want}`);
  }
  const sub = new URL('https://cdn.example.com/images/');
  const got = parseRequest('/100x/cat.jpg', sub).remoteString;
  assert.equal(got, 'https://cdn.example.com/images/cat.jpg', `parseRequest(/100x/cat.jpg, ${sub}) = ${got}`);
});

test('parseRequest refuses bad requests with BadRequestError', () => {
  const cases: string[] = [
    '/',
    '/1/',
    '/x',
    '//example.com/foo',
    '//ftp://example.com/foo',
    '/x/file:///etc/passwd',
    '/x/data:image/png;base64,AAAA',
    '/x/gopher://example.com/',
    '/x/ftp://example.com/a.jpg',
    '/x/javascript:alert(1)',
    '/x/relative/path.jpg',
    `/x/${Buffer.from('file:///etc/passwd').toString('base64url')}`,
    '/x/file%3A%2F%2F%2Fetc%2Fpasswd',
    '/x/http:example.com',
    '/x/http://',
    '/x/http://exa%zzmple.com/',
    '/x/http://example.com/%zz',
    '/x/http://example.com:99999/',
    '/x/http://exa mple.com/',
    'x/http://example.com/',
    '/x/http%3A%2F%2Fexample.com%2F%FF%3Fq%3D%FF',
  ];
  for (const input of cases) {
    assert.throws(() => parseRequest(input), (err: unknown) => {
      assert.ok(err instanceof BadRequestError, `parseRequest(${JSON.stringify(input)}) threw ${String(err)}, want BadRequestError`);
      assert.equal(err.status, 400);
      assert.match(err.message, /^[A-Z][^\n]*\.$/, `message ${JSON.stringify(err.message)} is one sentence`);
      return true;
    }, `parseRequest(${JSON.stringify(input)}) did not throw, want BadRequestError`);
  }
});

test('parseRequest agrees with WHATWG URL on the host', () => {
  // Go escapes the backslash in the path, so the part before '@' is userinfo for both parsers.
  const cases: Array<[string, string, string]> = [
    ['/x/http://a.com\\@evil.com/', 'http://a.com%5C@evil.com/', 'evil.com'],
    ['/x/http://allowed.com@evil.com/', 'http://allowed.com@evil.com/', 'evil.com'],
    ['/x/http://evil.com#@allowed.com/', 'http://evil.com%23@allowed.com/', 'allowed.com'],
  ];
  for (const [input, wantString, wantHost] of cases) {
    const r = parseRequest(input);
    assert.equal(r.remoteString, wantString, `parseRequest(${JSON.stringify(input)}).remoteString = ${r.remoteString}, want ${wantString}`);
    assert.equal(r.remote.hostname, wantHost, `parseRequest(${JSON.stringify(input)}).remote.hostname = ${r.remote.hostname}, want ${wantHost}`);
  }
});

test('cacheKey covers options only when they transform, never the signature', () => {
  const cases: Array<[string, string]> = [
    ['/x/http://example.com/a.jpg', 'http://example.com/a.jpg'],
    ['/0x0/http://example.com/a.jpg', 'http://example.com/a.jpg'],
    ['/sabc/http://example.com/a.jpg', 'http://example.com/a.jpg'],
    ['/100,r90,q75/http://example.com/a.jpg', 'http://example.com/a.jpg#100x100,q75,r90'],
    ['/100,r90,q75,sXYZ/http://example.com/a.jpg?v=2', 'http://example.com/a.jpg?v=2#100x100,q75,r90'],
  ];
  for (const [input, want] of cases) {
    const got = cacheKey(parseRequest(input));
    assert.equal(got, want, `cacheKey(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('the cache key of a variant is the message its option signature covers', () => {
  // remote#options was built in three places (cacheKey, signURL, verifySignature); one function now.
  const cases: Array<{ path: string; want: string }> = [
    { path: '/100x,q80,sXYZ/https://example.com/a.jpg?v=1', want: 'https://example.com/a.jpg?v=1#100x0,q80' },
    { path: '/r90/aHR0cHM6Ly9leGFtcGxlLmNvbS9hLmpwZyNmcmFn', want: 'https://example.com/a.jpg#0x0,r90' },
  ];
  for (const { path, want } of cases) {
    const req = parseRequest(path);
    const got = cacheKey(req);
    assert.equal(got, want, `cacheKey(parseRequest(${path})) = ${got}, want ${want}`);
    assert.equal(remoteWithOptions(req.remoteBase, req.options), got, `remoteWithOptions(${req.remoteBase}) differs from the cache key`);
    assert.equal(signURL('k', req.remoteBase, req.options), signURL('k', got), `signURL over the options form of ${path} does not sign the cache key`);
  }
});

test('parseRequest never fails with anything but BadRequestError (property)', async () => {
  const fc = (await import('fast-check')).default;
  const pieces = ['/', '//', 'x', '100x200', 'http:', 'https:', '//', 'example.com', '%', '%2F', '%3A', '?', '#', '@',
    '[', ']', ':', '..', '.', '\\', 'aHR0cDovL2E', '=', ' ', 'é', '%zz', 'file:', '127.0.0.1', '::1', ',', 's'];
  const arb = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 12 }).map((a) => `/${a.join('')}`);
  fc.assert(fc.property(arb, fc.boolean(), (path, withBase) => {
    try {
      const r = parseRequest(path, withBase ? new URL('https://base.example/dir/') : undefined);
      assert.ok(r.remote.protocol === 'http:' || r.remote.protocol === 'https:', `parseRequest(${JSON.stringify(path)}).remote = ${r.remote.href}`);
      assert.notEqual(r.remote.hostname, '');
      assert.ok(r.remoteString.startsWith(r.remoteBase));
    } catch (err) {
      if (!(err instanceof BadRequestError)) throw err;
    }
  }), { numRuns: 3000 });
});
