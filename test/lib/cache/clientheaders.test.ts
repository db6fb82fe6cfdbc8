import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCacheControl, goCacheControl, updateCacheHeaders } from '../../../lib/cache/clientheaders.js';

test('goCacheControl reads directives as Go does; formatCacheControl prints them sorted', () => {
  const cases: Array<{ input: string | undefined; parsed: Record<string, string>; printed: string }> = [
    { input: undefined, parsed: {}, printed: '' },
    { input: 'MAX-AGE=600, No-Store', parsed: { 'max-age': '600', 'no-store': '' }, printed: 'max-age=600, no-store' },
    { input: 'max-age=1, max-age=2', parsed: { 'max-age': '2' }, printed: 'max-age=2' },
    { input: ' , private="a, b",,public ', parsed: { private: '"a, b"', public: '' }, printed: 'private="a, b", public' },
  ];
  for (const c of cases) {
    const m = goCacheControl(c.input);
    assert.deepEqual(Object.fromEntries(m), c.parsed, `goCacheControl(${JSON.stringify(c.input)}) = ${JSON.stringify(Object.fromEntries(m))}, want ${JSON.stringify(c.parsed)}`);
    assert.equal(formatCacheControl(m), c.printed, `formatCacheControl(goCacheControl(${JSON.stringify(c.input)}))`);
  }
});

test('updateCacheHeaders edge cases', () => {
  const plain = { minCacheDurationMs: 0, forceCache: false };
  const min = { minCacheDurationMs: 60_000, forceCache: false };
  const h = { 'cache-control': 'max-age=5', etag: '"e"' };
  assert.equal(updateCacheHeaders(h, plain), h, 'without the flags the very headers come back');
  const cases: Array<{ name: string; headers: Record<string, string>; want: Record<string, string> }> = [
    { name: 'Expires without Date counts for nothing', headers: { expires: 'Mon, 02 Jan 2006 16:04:05 GMT' }, want: { 'cache-control': 'max-age=60' } },
    { name: 'unparsable Expires', headers: { date: 'Mon, 02 Jan 2006 15:04:05 GMT', expires: '0', 'cache-control': 'max-age=5' }, want: { date: 'Mon, 02 Jan 2006 15:04:05 GMT', 'cache-control': 'max-age=60' } },
    { name: 'other headers kept', headers: { etag: '"e"', 'cache-control': 'max-age=120' }, want: { etag: '"e"', 'cache-control': 'max-age=120' } },
    { name: 'fractional seconds truncate', headers: { date: 'Mon, 02 Jan 2006 15:04:05 GMT', expires: 'Mon, 02 Jan 2006 15:05:35 GMT' }, want: { date: 'Mon, 02 Jan 2006 15:04:05 GMT', 'cache-control': 'max-age=90' } },
  ];
  for (const c of cases) {
    const got = updateCacheHeaders(c.headers, min);
    assert.deepEqual(got, c.want, `${c.name}: updateCacheHeaders(${JSON.stringify(c.headers)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});
