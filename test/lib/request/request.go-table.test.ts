/**
 * willnorris/imageproxy data_test.go, ported table by table: TestNewRequest and
 * TestNewRequest_BaseURL. Go parses "http://localhost" + path; parseRequest takes the path and
 * query, so the test strips that prefix. Go's r.URL.String() is our remoteString; Go's
 * r.String() (URL with the options as fragment) is remoteBase + "#" + formatOptions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest } from '../../../lib/request/request.js';
import { emptyOptions, formatOptions, type Options } from '../../../lib/request/options.js';
import { BadRequestError } from '../../../lib/errors.js';

const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });
const pathOf = (url: string): string => url.replace(/^http:\/\/localhost/, '');

test('TestNewRequest', () => {
  const tests: Array<{ url: string; remoteURL: string; options: Partial<Options>; expectError: boolean }> = [
    // invalid URLs
    { url: 'http://localhost/', remoteURL: '', options: {}, expectError: true },
    { url: 'http://localhost/1/', remoteURL: '', options: {}, expectError: true },
    { url: 'http://localhost//example.com/foo', remoteURL: '', options: {}, expectError: true },
    { url: 'http://localhost//ftp://example.com/foo', remoteURL: '', options: {}, expectError: true },

    // invalid options.  These won't return errors, but will not fully parse the options
    { url: 'http://localhost/s/http://example.com/', remoteURL: 'http://example.com/', options: {}, expectError: false },
    { url: 'http://localhost/1xs/http://example.com/', remoteURL: 'http://example.com/', options: { width: 1 }, expectError: false },

    // valid URLs
    { url: 'http://localhost/http://example.com/foo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost//http://example.com/foo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost//https://example.com/foo', remoteURL: 'https://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/1x2/http://example.com/foo', remoteURL: 'http://example.com/foo', options: { width: 1, height: 2 }, expectError: false },
    { url: 'http://localhost//http://example.com/foo?bar', remoteURL: 'http://example.com/foo?bar', options: {}, expectError: false },
    { url: 'http://localhost/http:/example.com/foo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/http:///example.com/foo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    // base64 encoded paths
    { url: 'http://localhost/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost//aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/x/aHR0cDovL2V4YW1wbGUuY29tL2Zvbw', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/x/aHR0cHM6Ly9leGFtcGxlLmNvbS9mb28_YmFy', remoteURL: 'https://example.com/foo?bar', options: {}, expectError: false },
    { url: 'http://localhost/x/aHR0cHM6Ly9leGFtcGxlLmNvbS9mb28_YmFy?baz', remoteURL: 'https://example.com/foo?bar', options: {}, expectError: false },
    // escaped path
    { url: 'http://localhost/http://example.com/%2C', remoteURL: 'http://example.com/%2C', options: {}, expectError: false },
    // percent encoded cases
    { url: 'http://localhost/1x2/http%3A%2F%2Fexample.com%2Ffoo', remoteURL: 'http://example.com/foo', options: { width: 1, height: 2 }, expectError: false },
    { url: 'http://localhost/1x2/http%3A%2F%2Fexample.com%2Fhttp%2Fstuff', remoteURL: 'http://example.com/http/stuff', options: { width: 1, height: 2 }, expectError: false },
    { url: 'http://localhost/http%3A%2F%2Fexample.com%2Ffoo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/HTTP%3a%2f%2fexample.com%2Ffoo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/http%3A%2Fexample.com%2Ffoo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/http%3A%2F%2F%2Fexample.com%2Ffoo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost//http%3A%2F%2Fexample.com%2Ffoo', remoteURL: 'http://example.com/foo', options: {}, expectError: false },
    { url: 'http://localhost/http%3A%2F%2Fexample.com%2Ffoo%3Ftest%3D1%26test%3D2', remoteURL: 'http://example.com/foo?test=1&test=2', options: {}, expectError: false },
    { url: 'http://localhost/1x2/http%3A%2F%2Fexample.com%2Ffoo%3Ftest%3D1%26test%3D2', remoteURL: 'http://example.com/foo?test=1&test=2', options: { width: 1, height: 2 }, expectError: false },
  ];
  for (const tt of tests) {
    let r;
    try {
      r = parseRequest(pathOf(tt.url));
    } catch (err) {
      assert.ok(tt.expectError, `parseRequest(${tt.url}) returned unexpected error: ${String(err)}`);
      assert.ok(err instanceof BadRequestError, `parseRequest(${tt.url}) threw ${String(err)}, want a BadRequestError`);
      continue;
    }
    assert.ok(!tt.expectError, `parseRequest(${tt.url}) did not return the expected error`);
    assert.equal(r.remoteString, tt.remoteURL, `parseRequest(${tt.url}) request URL = ${r.remoteString}, want ${tt.remoteURL}`);
    assert.deepEqual(r.options, opts(tt.options), `parseRequest(${tt.url}) request options = ${JSON.stringify(r.options)}, want ${JSON.stringify(opts(tt.options))}`);
  }
});

test('TestNewRequest_BaseURL', () => {
  const base = new URL('https://example.com/');
  const tests: Array<{ path: string; want: string }> = [
    { path: '/x/path', want: 'https://example.com/path#0x0' },
    { path: '/x/5bey54S2', want: 'https://example.com/%E5%B7%B2%E7%84%B6#0x0' }, // Chinese characters 已然
  ];
  for (const tt of tests) {
    const r = parseRequest(tt.path, base);
    const got = `${r.remoteBase}#${formatOptions(r.options)}`;
    assert.equal(got, tt.want, `parseRequest(${tt.path}, ${base}) = ${got}, want ${tt.want}`);
  }
});
