/** willnorris/imageproxy imageproxy_test.go: TestValidSignature. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifySignature } from '../../../lib/request/signature.js';
import { parseRequest } from '../../../lib/request/request.js';
import { emptyOptions, type Options } from '../../../lib/request/options.js';

test('TestValidSignature', () => {
  const key = Buffer.from('c0ffee');
  const tests: Array<{ url: string; options: Partial<Options>; valid: boolean }> = [
    { url: 'http://test/image', options: { signature: 'NDx5zZHx7QfE8E-ijowRreq6CJJBZjwiRfOVk_mkfQQ=' }, valid: true },
    { url: 'http://test/image', options: { signature: 'NDx5zZHx7QfE8E-ijowRreq6CJJBZjwiRfOVk_mkfQQ' }, valid: true },
    { url: 'http://test/image', options: {}, valid: false },
    // url-only signature with options
    { url: 'http://test/image', options: { signature: 'NDx5zZHx7QfE8E-ijowRreq6CJJBZjwiRfOVk_mkfQQ', rotate: 90 }, valid: true },
    // signature calculated from url plus options
    { url: 'http://test/image', options: { signature: 'ZGTzEm32o4iZ7qcChls3EVYaWyrDd9u0etySo0-WkF8=', rotate: 90 }, valid: true },
    // invalid base64 encoded signature
    { url: 'http://test/image', options: { signature: '!!' }, valid: false },
  ];
  for (const tt of tests) {
    const req = { ...parseRequest(`/x/${tt.url}`), options: { ...emptyOptions(), ...tt.options } };
    const got = verifySignature([key], req);
    assert.equal(got, tt.valid, `verifySignature(c0ffee, ${tt.url} ${JSON.stringify(tt.options)}) returned ${got}, want ${tt.valid}`);
  }
});
