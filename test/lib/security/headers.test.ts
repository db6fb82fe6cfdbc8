import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DROPPED_RESPONSE_HEADERS, HOP_BY_HOP, OWN_HEADERS, UNPASSABLE_REQUEST_HEADERS, UNSTORED_HEADERS,
} from '../../../lib/security/headers.js';

test('every boundary refuses every hop-by-hop header', () => {
  // The lists were three before (fetch, cache, handler) and disagreed on Proxy-Authorization and
  // Proxy-Authenticate; now each is built on HOP_BY_HOP.
  const boundaries: Array<{ name: string; set: ReadonlySet<string> }> = [
    { name: 'client -> origin (UNPASSABLE_REQUEST_HEADERS)', set: UNPASSABLE_REQUEST_HEADERS },
    { name: 'origin -> proxy (DROPPED_RESPONSE_HEADERS)', set: DROPPED_RESPONSE_HEADERS },
    { name: 'proxy -> cache (UNSTORED_HEADERS)', set: UNSTORED_HEADERS },
    { name: 'cache -> client (OWN_HEADERS)', set: OWN_HEADERS },
  ];
  for (const { name, set } of boundaries) {
    for (const h of [...HOP_BY_HOP, 'proxy-authorization', 'proxy-authenticate']) {
      assert.equal(set.has(h), true, `${name}.has(${h}) = false, want true`);
    }
  }
});

test('each boundary keeps what it must keep and drops what it must drop', () => {
  const cases: Array<{ name: string; set: ReadonlySet<string>; header: string; want: boolean }> = [
    { name: 'UNSTORED_HEADERS', set: UNSTORED_HEADERS, header: 'set-cookie', want: true },
    // The cache keeps the stored body's length: a 304 must not replace it.
    { name: 'UNSTORED_HEADERS', set: UNSTORED_HEADERS, header: 'content-length', want: false },
    { name: 'UNSTORED_HEADERS', set: UNSTORED_HEADERS, header: 'etag', want: false },
    { name: 'DROPPED_RESPONSE_HEADERS', set: DROPPED_RESPONSE_HEADERS, header: 'content-encoding', want: true },
    { name: 'DROPPED_RESPONSE_HEADERS', set: DROPPED_RESPONSE_HEADERS, header: 'content-length', want: true },
    { name: 'DROPPED_RESPONSE_HEADERS', set: DROPPED_RESPONSE_HEADERS, header: 'set-cookie', want: true },
    { name: 'DROPPED_RESPONSE_HEADERS', set: DROPPED_RESPONSE_HEADERS, header: 'cache-control', want: false },
    { name: 'UNPASSABLE_REQUEST_HEADERS', set: UNPASSABLE_REQUEST_HEADERS, header: 'range', want: true },
    { name: 'UNPASSABLE_REQUEST_HEADERS', set: UNPASSABLE_REQUEST_HEADERS, header: 'if-none-match', want: true },
    { name: 'UNPASSABLE_REQUEST_HEADERS', set: UNPASSABLE_REQUEST_HEADERS, header: 'authorization', want: false },
    { name: 'OWN_HEADERS', set: OWN_HEADERS, header: 'x-content-type-options', want: true },
    { name: 'OWN_HEADERS', set: OWN_HEADERS, header: 'content-security-policy', want: true },
    { name: 'OWN_HEADERS', set: OWN_HEADERS, header: 'x-cache', want: true },
    { name: 'OWN_HEADERS', set: OWN_HEADERS, header: 'cache-control', want: false },
  ];
  for (const { name, set, header, want } of cases) {
    assert.equal(set.has(header), want, `${name}.has(${header}) = ${set.has(header)}, want ${want}`);
  }
});
