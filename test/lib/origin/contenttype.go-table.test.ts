/** willnorris/imageproxy imageproxy_test.go: TestContentTypeMatches (Go's nil list is our empty one). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeAllowed } from '../../../lib/origin/contenttype.js';

test('TestContentTypeMatches', () => {
  const tests: Array<{ patterns: string[]; contentType: string; valid: boolean }> = [
    // no patterns
    { patterns: [], contentType: '', valid: true },
    { patterns: [], contentType: 'text/plain', valid: true },
    { patterns: [], contentType: '', valid: true },
    { patterns: [], contentType: 'text/plain', valid: true },

    // empty pattern
    { patterns: [''], contentType: '', valid: true },
    { patterns: [''], contentType: 'text/plain', valid: false },

    // exact match
    { patterns: ['text/plain'], contentType: '', valid: false },
    { patterns: ['text/plain'], contentType: 'text', valid: false },
    { patterns: ['text/plain'], contentType: 'text/html', valid: false },
    { patterns: ['text/plain'], contentType: 'text/plain', valid: true },
    { patterns: ['text/plain'], contentType: 'text/plaintext', valid: false },
    { patterns: ['text/plain'], contentType: 'text/plain+foo', valid: false },

    // wildcard match
    { patterns: ['text/*'], contentType: '', valid: false },
    { patterns: ['text/*'], contentType: 'text', valid: false },
    { patterns: ['text/*'], contentType: 'text/html', valid: true },
    { patterns: ['text/*'], contentType: 'text/plain', valid: true },
    { patterns: ['text/*'], contentType: 'image/jpeg', valid: false },

    { patterns: ['image/svg*'], contentType: 'image/svg', valid: true },
    { patterns: ['image/svg*'], contentType: 'image/svg+html', valid: true },

    // complete wildcard does not match
    { patterns: ['*'], contentType: 'text/foobar', valid: false },

    // multiple patterns
    { patterns: ['text/*', 'image/*'], contentType: 'image/jpeg', valid: true },
  ];
  for (const tt of tests) {
    const got = contentTypeAllowed(tt.contentType, tt.patterns);
    assert.equal(got, tt.valid, `contentTypeAllowed(${JSON.stringify(tt.contentType)}, ${JSON.stringify(tt.patterns)}) returned ${got}, want ${tt.valid}`);
  }
});
