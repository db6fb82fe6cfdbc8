/**
 * willnorris/imageproxy imageproxy_test.go: TestAllowed and TestReferrerMatches. Go builds a
 * Request from a URL and Options directly; here the URL is parsed as a proxy request and the
 * table's Options replace the parsed ones. Go's nil error is any admission; ForbiddenError is
 * its non-nil one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRequest } from '../../../lib/security/policy.js';
import { parseRequest } from '../../../lib/request/request.js';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import { defaultConfig } from '../../../lib/config.js';
import { ForbiddenError } from '../../../lib/errors.js';

/** allowed runs checkRequest and returns whether the request was admitted. */
function allowed(url: string, options: Partial<Options>, config: Parameters<typeof defaultConfig>[0], referer: string | undefined, now: number): boolean {
  const req = { ...parseRequest(`/x/${url}`), options: { ...emptyOptions(), ...options } };
  try {
    checkRequest(req, referer, defaultConfig(config), now);
    return true;
  } catch (err) {
    if (err instanceof ForbiddenError) return false;
    throw err;
  }
}

test('TestAllowed', () => {
  const good = ['good'];
  const key = [Buffer.from('c0ffee')];
  const multipleKey = [Buffer.from('c0ffee'), Buffer.from('beer')];
  const now = Date.UTC(2020, 0, 1) / 1000; // seconds, as vu{t} counts them

  const tests: Array<{
    url: string; now?: number; options?: Partial<Options>; allowHosts?: string[]; denyHosts?: string[];
    referrers?: string[]; keys?: Buffer[]; referer?: string; allowed: boolean;
  }> = [
    // no allowHosts or signature key
    { url: 'http://test/image', allowed: true },

    // allowHosts
    { url: 'http://good/image', allowHosts: good, allowed: true },
    { url: 'http://bad/image', allowHosts: good, allowed: false },

    // referrer
    { url: 'http://test/image', referrers: good, referer: 'http://good/foo', allowed: true },
    { url: 'http://test/image', referrers: good, referer: 'http://bad/foo', allowed: false },
    { url: 'http://test/image', referrers: good, referer: 'MALFORMED!!', allowed: false },
    { url: 'http://test/image', referrers: good, allowed: false },

    // signature key
    { url: 'http://test/image', options: { signature: 'NDx5zZHx7QfE8E-ijowRreq6CJJBZjwiRfOVk_mkfQQ=' }, keys: key, allowed: true },
    { url: 'http://test/image', options: { signature: 'NDx5zZHx7QfE8E-ijowRreq6CJJBZjwiRfOVk_mkfQQ=' }, keys: multipleKey, allowed: true }, // signed with key "c0ffee"
    { url: 'http://test/image', options: { signature: 'FWIawYV4SEyI4zKJMeGugM-eJM1eI_jXPEQ20ZgRe4A=' }, keys: multipleKey, allowed: true }, // signed with key "beer"
    { url: 'http://test/image', options: { signature: 'deadbeef' }, keys: key, allowed: false },
    { url: 'http://test/image', options: { signature: 'deadbeef' }, keys: multipleKey, allowed: false },
    { url: 'http://test/image', keys: key, allowed: false },

    // allowHosts and signature
    { url: 'http://good/image', allowHosts: good, keys: key, allowed: true },
    { url: 'http://bad/image', options: { signature: 'gWivrPhXBbsYEwpmWAKjbJEiAEgZwbXbltg95O2tgNI=' }, keys: key, allowed: true },
    { url: 'http://bad/image', allowHosts: good, keys: key, allowed: false },

    // deny requests that match denyHosts, even if signature is valid or also matches allowHosts
    { url: 'http://test/image', denyHosts: ['test'], allowed: false },
    { url: 'http://test:3000/image', denyHosts: ['test'], allowed: false },
    { url: 'http://test/image', allowHosts: ['test'], denyHosts: ['test'], allowed: false },
    { url: 'http://test/image', options: { signature: 'NDx5zZHx7QfE8E-ijowRreq6CJJBZjwiRfOVk_mkfQQ=' }, denyHosts: ['test'], keys: key, allowed: false },
    { url: 'http://127.0.0.1/image', denyHosts: ['127.0.0.0/8'], allowed: false },
    { url: 'http://127.0.0.1:3000/image', denyHosts: ['127.0.0.0/8'], allowed: false },

    // valid until options
    { url: 'http://test/image', now, options: { validUntil: now + 1 }, allowed: true },
    { url: 'http://test/image', now, options: { validUntil: now - 1 }, allowed: false },
    { url: 'http://test/image', now, options: { validUntil: now }, allowed: false },
  ];
  for (const tt of tests) {
    const config = { allowHosts: tt.allowHosts ?? [], denyHosts: tt.denyHosts ?? [], referrers: tt.referrers ?? [], signatureKeys: tt.keys ?? [] };
    const got = allowed(tt.url, tt.options ?? {}, config, tt.referer, (tt.now ?? Date.now() / 1000) * 1000);
    assert.equal(got, tt.allowed, `allowed(${tt.url}) returned ${got}, want ${tt.allowed}.\nTest struct: ${JSON.stringify(tt)}`);
  }
});

test('TestReferrerMatches', () => {
  const hosts = ['a.test'];
  const tests: Array<{ referrer: string; valid: boolean }> = [
    { referrer: '', valid: false },
    { referrer: '%', valid: false },
    { referrer: 'http://a.test/', valid: true },
    { referrer: 'http://b.test/', valid: false },
  ];
  for (const tt of tests) {
    const got = allowed('http://x.test/image', {}, { referrers: hosts }, tt.referrer, Date.now());
    assert.equal(got, tt.valid, `referrer ${JSON.stringify(tt.referrer)} against ${JSON.stringify(hosts)} returned ${got}, want ${tt.valid}`);
  }
});
