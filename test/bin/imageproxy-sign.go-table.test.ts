/**
 * willnorris/imageproxy cmd/imageproxy-sign/main_test.go, ported: TestSign, TestSign_URLOnly,
 * TestSign_Errors, TestParseKey, TestParseKey_FilePath and TestParseURL, plus the worked example
 * of docs/url-signing.md. Go's sign() returns the raw HMAC; signCommand prints it base64url, so
 * Go's byte arrays are compared in that form. Go's parseURL() result is checked as the message
 * the signature covers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signCommand, signatureFor } from '../../bin/imageproxy-sign.js';
import { UsageError } from '../../bin/flags.js';
import { parseRequest } from '../../lib/request/request.js';
import { checkRequest } from '../../lib/security/policy.js';
import { defaultConfig } from '../../lib/config.js';
import { formatOptions, parseOptions } from '../../lib/request/options.js';

const key = 'secret';
const b64 = (bytes: number[]): string => `${Buffer.from(bytes).toString('base64url')}=`;
const hmac = (k: string, message: string): string => `${createHmac('sha256', k).update(message).digest('base64url')}=`;

test('TestSign', () => {
  const s = 'http://example.com/image.jpg#0x0';
  const got = signCommand(['-key', key, s], {});
  const want = b64([0xc3, 0x4c, 0x45, 0xb5, 0x75, 0x84, 0x76, 0xdf, 0xd9, 0x6b, 0x12, 0xa4, 0x84, 0x8f, 0x37, 0xc6, 0x2d, 0x8b, 0x8d, 0x77, 0xda, 0x6, 0xf8, 0xb5, 0x10, 0xc9, 0x96, 0x3c, 0x6e, 0x13, 0xda, 0xf0]);
  assert.equal(got, want, `sign(${key}, ${s}, false) returned ${got}, want ${want}`);
});

test('TestSign_URLOnly', () => {
  const s = 'http://example.com/image.jpg#0x0';
  const got = signCommand(['-key', key, '-url', s], {});
  const want = b64([0x93, 0xea, 0x5d, 0x23, 0x68, 0xa0, 0xfc, 0x50, 0x8e, 0x91, 0x7, 0xbf, 0x3e, 0xb3, 0x1f, 0x49, 0xf7, 0x1d, 0x81, 0xf1, 0x74, 0xfe, 0x25, 0x36, 0xfc, 0x74, 0xf8, 0x81, 0x15, 0xf5, 0x58, 0x40]);
  assert.equal(got, want, `sign(${key}, ${s}, true) returned ${got}, want ${want}`);
});

test('TestSign_Errors', () => {
  const tests: Array<{ key: string; url: string }> = [
    { key: '', url: '' },
    { key: '', url: '%' },
    { key: '@/does/not/exist', url: 's' },
  ];
  for (const tt of tests) {
    assert.throws(() => signCommand(['-key', tt.key, tt.url], {}), UsageError, `sign(${JSON.stringify(tt.key)}, ${JSON.stringify(tt.url)}, false) did not return expected error`);
  }
});

test('TestParseKey', () => {
  // parseKey(key) is the key itself: signing with it gives the HMAC under those bytes.
  const got = signCommand(['-key', key, 'http://example.com/#0x0'], {});
  assert.equal(got, hmac(key, 'http://example.com/#0x0'), `parseKey(${key}) is not the key itself`);
});

test('TestParseKey_FilePath', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'key-'));
  try {
    const file = path.join(dir, 'key');
    writeFileSync(file, key);
    const got = signCommand(['-key', `@${file}`, 'http://example.com/#0x0'], {});
    assert.equal(got, hmac(key, 'http://example.com/#0x0'), `parseKey(@${file}) returned another key than ${key}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TestParseURL', () => {
  const tests: Array<{ input: string; output: string }> = [
    { input: '/', output: '/#0x0' },

    // imageproxy URLs
    { input: 'http://localhost:8080//http://example.com/', output: 'http://example.com/#0x0' },
    { input: 'http://localhost:8080/10,r90,jpeg/http://example.com/', output: 'http://example.com/#10x10,jpeg,r90' },

    // remote URLs, with and without options
    { input: 'http://example.com/', output: 'http://example.com/#0x0' },
    { input: 'http://example.com/#r90,jpeg', output: 'http://example.com/#0x0,jpeg,r90' },

    // ensure signature values are stripped
    { input: 'http://localhost:8080/sc0ffee/http://example.com/', output: 'http://example.com/#0x0' },
    { input: 'http://example.com/#sc0ffee', output: 'http://example.com/#0x0' },
  ];
  for (const tt of tests) {
    const got = signatureFor(Buffer.from(key), tt.input, false);
    assert.equal(got, hmac(key, tt.output), `parseURL(${JSON.stringify(tt.input)}) did not sign ${JSON.stringify(tt.output)}`);
  }
});

test('docs/url-signing.md: the worked example and the language examples', () => {
  const codercat = 'https://octodex.github.com/images/codercat.jpg';
  // "The value that goes into the Digest is https://octodex.github.com/images/codercat.jpg#400x400,q40"
  assert.equal(signCommand(['-key', 'secretkey', `${codercat}#400x400,q40`], {}), '0sR2kjyfiF1RQRj4Jm2fFa3_6SDFqdAaDEmy1oD2U-4=');
  // Every language example signs the bare URL with "secretkey".
  assert.equal(signCommand(['-key', 'secretkey', '-url', codercat], {}), 'cw34eyalj8YvpLpETxSIxv2k8QkLel2UAR5Cku2FzGM=');
  // "The final url would be ..." and it is admitted by a server holding the key.
  const final = `/400x400,q40,s0sR2kjyfiF1RQRj4Jm2fFa3_6SDFqdAaDEmy1oD2U-4=/${codercat}`;
  assert.equal(checkRequest(parseRequest(final), undefined, defaultConfig({ signatureKeys: [Buffer.from('secretkey')] }), Date.now()), 'signature');
  // "100,r90,q75 ... the signed value would be http://example.com/image.jpg#100x100,q75,r90"
  assert.equal(formatOptions(parseOptions('100,r90,q75'), false), '100x100,q75,r90');
  assert.equal(signCommand(['-key', 'k', 'http://localhost:8080/100,r90,q75/http://example.com/image.jpg'], {}), hmac('k', 'http://example.com/image.jpg#100x100,q75,r90'));
});
