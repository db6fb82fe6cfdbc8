/**
 * willnorris/imageproxy imageproxy_test.go: TestProxy_UpdateCacheHeaders. Go's http.Header uses
 * canonical names; our headers are lower-case, so the table is converted both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateCacheHeaders } from '../../../lib/cache/clientheaders.js';

const SECOND = 1000, MINUTE = 60 * SECOND, HOUR = 60 * MINUTE;
const lower = (h: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

test('TestProxy_UpdateCacheHeaders', () => {
  const date = 'Mon, 02 Jan 2006 15:04:05 MST';
  const exp = 'Mon, 02 Jan 2006 16:04:05 MST';
  const tests: Array<{ name: string; minDuration?: number; forceCache?: boolean; headers: Record<string, string>; want: Record<string, string> }> = [
    { name: 'zero', headers: {}, want: {} },
    {
      name: 'no min duration',
      headers: { Date: date, Expires: exp, 'Cache-Control': 'max-age=600' },
      want: { Date: date, Expires: exp, 'Cache-Control': 'max-age=600' },
    },
    { name: 'min duration, no header', minDuration: 30 * SECOND, headers: {}, want: { 'Cache-Control': 'max-age=30' } },
    {
      name: 'cache control exceeds min duration', minDuration: 30 * SECOND,
      headers: { 'Cache-Control': 'max-age=600' }, want: { 'Cache-Control': 'max-age=600' },
    },
    {
      name: 'cache control exceeds min duration, expires', minDuration: 30 * SECOND,
      headers: { Date: date, Expires: exp, 'Cache-Control': 'max-age=86400' },
      want: { Date: date, 'Cache-Control': 'max-age=86400' },
    },
    {
      name: 'min duration exceeds cache control', minDuration: 1 * HOUR,
      headers: { 'Cache-Control': 'max-age=600' }, want: { 'Cache-Control': 'max-age=3600' },
    },
    {
      name: 'min duration exceeds cache control, expires', minDuration: 2 * HOUR,
      headers: { Date: date, Expires: exp, 'Cache-Control': 'max-age=600' },
      want: { Date: date, 'Cache-Control': 'max-age=7200' },
    },
    {
      name: 'expires exceeds min duration, cache control', minDuration: 30 * MINUTE,
      headers: { Date: date, Expires: exp, 'Cache-Control': 'max-age=600' },
      want: { Date: date, 'Cache-Control': 'max-age=3600' },
    },
    { name: 'respect no-store', headers: { 'Cache-Control': 'max-age=600, no-store' }, want: { 'Cache-Control': 'max-age=600, no-store' } },
    { name: 'respect private', headers: { 'Cache-Control': 'max-age=600, private' }, want: { 'Cache-Control': 'max-age=600, no-store, private' } },
    {
      name: 'force cache, normalize directives', forceCache: true,
      headers: { 'Cache-Control': 'MAX-AGE=600, no-store, private' }, want: { 'Cache-Control': 'max-age=600' },
    },
    {
      name: 'force cache with min duration', minDuration: 1 * HOUR, forceCache: true,
      headers: { 'Cache-Control': 'max-age=600, private, no-store' }, want: { 'Cache-Control': 'max-age=3600' },
    },
  ];
  for (const tt of tests) {
    const got = updateCacheHeaders(lower(tt.headers), { minCacheDurationMs: tt.minDuration ?? 0, forceCache: tt.forceCache ?? false });
    assert.deepEqual(got, lower(tt.want), `${tt.name}: updateCacheHeaders(${JSON.stringify(tt.headers)}) returned ${JSON.stringify(got)}, want ${JSON.stringify(lower(tt.want))}`);
  }
});
