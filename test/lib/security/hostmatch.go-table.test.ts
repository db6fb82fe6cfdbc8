/** willnorris/imageproxy imageproxy_test.go: TestHostMatches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostMatcher } from '../../../lib/security/hostmatch.js';

test('TestHostMatches', () => {
  const hosts = ['a.test', '*.b.test', '*c.test'];
  const m = new HostMatcher(hosts);
  const tests: Array<{ url: string; valid: boolean }> = [
    { url: 'http://a.test/image', valid: true },
    { url: 'http://x.a.test/image', valid: false },

    { url: 'http://b.test/image', valid: true },
    { url: 'http://x.b.test/image', valid: true },
    { url: 'http://x.y.b.test/image', valid: true },

    { url: 'http://c.test/image', valid: false },
    { url: 'http://xc.test/image', valid: false },
    { url: '/image', valid: false },
  ];
  for (const tt of tests) {
    // A relative URL such as "/image" has no host, as Go's u.Hostname() is "".
    const host = URL.canParse(tt.url) ? new URL(tt.url).hostname : '';
    const got = m.matchesName(host);
    assert.equal(got, tt.valid, `matchesName(${JSON.stringify(hosts)}, ${tt.url}) returned ${got}, want ${tt.valid}`);
  }
});
