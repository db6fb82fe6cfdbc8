/**
 * willnorris/imageproxy imageproxy_test.go: TestPeekContentType. Go's http.DetectContentType
 * names anything it does not recognise "application/octet-stream"; sniffImageType returns
 * undefined for it, and the proxy then refuses the body (or, with -contentTypes empty, serves
 * it as application/octet-stream).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffImageType } from '../../../lib/origin/sniff.js';

test('TestPeekContentType', () => {
  const tests: Array<{ name: string; bytes: Uint8Array; want: string | undefined }> = [
    // 1 pixel png image, base64 encoded
    { name: '1x1 png', bytes: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAEUlEQVR4nGJiYGBgAAQAAP//AA8AA/6P688AAAAASUVORK5CYII=', 'base64'), want: 'image/png' },
    // single zero byte: Go's "application/octet-stream"
    { name: 'single zero byte', bytes: Uint8Array.of(0), want: undefined },
  ];
  for (const tt of tests) {
    const got = sniffImageType(tt.bytes);
    assert.equal(got, tt.want, `sniffImageType(${tt.name}) returned ${got}, want ${tt.want}`);
  }
});
