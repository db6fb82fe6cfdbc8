import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest, cacheKey, remoteWithOptions } from '../../../lib/request/request.js';
import { signURL } from '../../../lib/request/signature.js';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import { BadRequestError } from '../../../lib/errors.js';

const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });

test('parseRequest matches the Go server (data_test.go cases and more)', () => {
  // [proxy path+query, want remoteString, want options]
  const cases: Array<{ input: string; want: string; wantOpts: Partial<Options> }> = [
    // options that do not parse fully are ignored, not errors
    { input: '/s/http://example.com/', want: 'http://example.com/', wantOpts: {} },
    { input: '/1xs/http://example.com/', want: 'http://example.com/', wantOpts: { width: 1 } },
    // plain remote URLs, with and without options
    { input: '/http://example.com/foo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '//http://example.com/foo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '//https://example.com/foo', want: 'https://example.com/foo', wantOpts: {} },
    { input: '/1x2/http://example.com/foo', want: 'http://example.com/foo', wantOpts: { width: 1, height: 2 } },
    { input: '//http://example.com/foo?bar', want: 'http://example.com/foo?bar', wantOpts: {} },
    { input: '/100x200/https://example.com/a.jpg?x=1&y=%20z', want: 'https://example.com/a.jpg?x=1&y=%20z', wantOpts: { width: 100, height: 200 } },
    // collapsed or tripled slashes are repaired
    { input: '/http:/example.com/foo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/http:///example.com/foo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/x/https:/example.com/foo', want: 'https://example.com/foo', wantOpts: {} },
    // base64url, with and without options; the proxy query is not appended
    { input: '/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', want: 'http://example.com/foo', wantOpts: {} },
    { input: '//aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/x/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/x/aHR0cHM6Ly9leGFtcGxlLmNvbS9mb28_YmFy', want: 'https://example.com/foo?bar', wantOpts: {} },
    { input: '/x/aHR0cHM6Ly9leGFtcGxlLmNvbS9mb28_YmFy?baz', want: 'https://example.com/foo?bar', wantOpts: {} },
    { input: '/x/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw?baz', want: 'http://example.com/foo', wantOpts: {} },
    // escaped path characters are kept as given
    { input: '/http://example.com/%2C', want: 'http://example.com/%2C', wantOpts: {} },
    { input: '/x/http://example.com/a%2Fb', want: 'http://example.com/a%2Fb', wantOpts: {} },
    // percent-encoded remote URLs; the proxy query is not appended
    { input: '/1x2/http%3A%2F%2Fexample.com%2Ffoo', want: 'http://example.com/foo', wantOpts: { width: 1, height: 2 } },
    { input: '/1x2/http%3A%2F%2Fexample.com%2Fhttp%2Fstuff', want: 'http://example.com/http/stuff', wantOpts: { width: 1, height: 2 } },
    { input: '/http%3A%2F%2Fexample.com%2Ffoo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/HTTP%3a%2f%2fexample.com%2Ffoo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/http%3A%2Fexample.com%2Ffoo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/http%3A%2F%2F%2Fexample.com%2Ffoo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '//http%3A%2F%2Fexample.com%2Ffoo', want: 'http://example.com/foo', wantOpts: {} },
    { input: '/http%3A%2F%2Fexample.com%2Ffoo%3Ftest%3D1%26test%3D2', want: 'http://example.com/foo?test=1&test=2', wantOpts: {} },
    { input: '/1x2/http%3A%2F%2Fexample.com%2Ffoo%3Ftest%3D1%26test%3D2', want: 'http://example.com/foo?test=1&test=2', wantOpts: { width: 1, height: 2 } },
    { input: '/x/http%3A%2F%2Fexample.com%2Ffoo?more=query', want: 'http://example.com/foo', wantOpts: {} },
    // Go's url.String(): host case kept, no trailing slash added, dot segments kept, scheme lower-cased
    { input: '/x/http://Example.COM', want: 'http://Example.COM', wantOpts: {} },
    { input: '/x/HTTP://Example.COM/A/../b', want: 'http://Example.COM/A/../b', wantOpts: {} },
    { input: '/x/http://example.com:8080/a.jpg', want: 'http://example.com:8080/a.jpg', wantOpts: {} },
    { input: '/x/http://user:p%40ss@example.com/a', want: 'http://user:p%40ss@example.com/a', wantOpts: {} },
    { input: '/x/http://[::1]:80/a', want: 'http://[::1]:80/a', wantOpts: {} },
    // characters Go escapes on output: the raw path is not valid, so Path is re-escaped
    { input: '/x/http://example.com/a|b', want: 'http://example.com/a%7Cb', wantOpts: {} },
    { input: '/x/http://example.com/%2C|"{}', want: 'http://example.com/,%7C%22%7B%7D', wantOpts: {} },
    { input: '/x/http://example.com/a b', want: 'http://example.com/a%20b', wantOpts: {} },
    // query kept raw, even characters a browser would encode
    { input: '/x/http://example.com/a?q="x"|{}', want: 'http://example.com/a?q="x"|{}', wantOpts: {} },
    // a trailing '?' with an empty query is dropped, as Go's server does
    { input: '/x/http://example.com/a?', want: 'http://example.com/a', wantOpts: {} },
    // options in any order
    { input: '/q40,400x400/https://octodex.github.com/images/codercat.jpg', want: 'https://octodex.github.com/images/codercat.jpg', wantOpts: { width: 400, height: 400, quality: 40 } },
  ];
  for (const { input, want, wantOpts } of cases) {
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
  const cases: Array<{ input: string; want: string }> = [
    { input: '/x/http://Example.COM', want: 'http://example.com/' },
    { input: '/x/http://example.com/a|b', want: 'http://example.com/a%7Cb' },
    { input: '/x/http://[::1]:80/a', want: 'http://[::1]/a' },
    { input: '/x/https://bücher.example/a', want: 'https://xn--bcher-kva.example/a' },
  ];
  for (const { input, want } of cases) {
    const got = parseRequest(input).remote.href;
    assert.equal(got, want, `parseRequest(${JSON.stringify(input)}).remote = ${got}, want ${want}`);
  }
});

test('parseRequest escapes non-ASCII as Go does', () => {
  const cases: Array<{ input: string; want: string }> = [
    { input: '/x/https://bücher.example/ä', want: 'https://b%C3%BCcher.example/%C3%A4' },
    // base64 of "http://example.com/🍏-some"
    { input: '/x/aHR0cDovL2V4YW1wbGUuY29tL_CfjY8tc29tZQ', want: 'http://example.com/%F0%9F%8D%8F-some' },
  ];
  for (const { input, want } of cases) {
    const got = parseRequest(input).remoteString;
    assert.equal(got, want, `parseRequest(${JSON.stringify(input)}).remoteString = ${got}, want ${want}`);
  }
});

test('parseRequest with a base URL', () => {
  const base = new URL('https://example.com/');
  const cases: Array<{ input: string; want: string }> = [
    { input: '/x/path', want: 'https://example.com/path' },
    { input: '/x/dir/file.jpg?v=1', want: 'https://example.com/dir/file.jpg?v=1' },
    // base64 of "已然" — valid UTF-8, so taken as encoded (Go's rule)
    { input: '/x/5bey54S2', want: 'https://example.com/%E5%B7%B2%E7%84%B6' },
    // base64 of "/img/a.jpg": a relative encoded URL is allowed with a base
    { input: `/x/${Buffer.from('/img/a.jpg').toString('base64url')}`, want: 'https://example.com/img/a.jpg' },
    // absolute URLs still win over the base, and Go's ResolveReference removes dot segments
    { input: '/x/http://other.example/a/../b', want: 'http://other.example/b' },
  ];
  for (const { input, want } of cases) {
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
  const cases: Array<{ input: string; wantString: string; wantHost: string }> = [
    { input: '/x/http://a.com\\@evil.com/', wantString: 'http://a.com%5C@evil.com/', wantHost: 'evil.com' },
    { input: '/x/http://allowed.com@evil.com/', wantString: 'http://allowed.com@evil.com/', wantHost: 'evil.com' },
    { input: '/x/http://evil.com#@allowed.com/', wantString: 'http://evil.com%23@allowed.com/', wantHost: 'allowed.com' },
  ];
  for (const { input, wantString, wantHost } of cases) {
    const r = parseRequest(input);
    assert.equal(r.remoteString, wantString, `parseRequest(${JSON.stringify(input)}).remoteString = ${r.remoteString}, want ${wantString}`);
    assert.equal(r.remote.hostname, wantHost, `parseRequest(${JSON.stringify(input)}).remote.hostname = ${r.remote.hostname}, want ${wantHost}`);
  }
});

test('cacheKey covers options only when they transform, never the signature', () => {
  const cases: Array<{ input: string; want: string }> = [
    { input: '/x/http://example.com/a.jpg', want: 'http://example.com/a.jpg' },
    { input: '/0x0/http://example.com/a.jpg', want: 'http://example.com/a.jpg' },
    { input: '/sabc/http://example.com/a.jpg', want: 'http://example.com/a.jpg' },
    { input: '/100,r90,q75/http://example.com/a.jpg', want: 'http://example.com/a.jpg#100x100,q75,r90' },
    { input: '/100,r90,q75,sXYZ/http://example.com/a.jpg?v=2', want: 'http://example.com/a.jpg?v=2#100x100,q75,r90' },
  ];
  for (const { input, want } of cases) {
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
