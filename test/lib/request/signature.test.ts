import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signURL, verifySignature } from '../../../lib/request/signature.js';
import { parseRequest } from '../../../lib/request/request.js';
import { parseOptions } from '../../../lib/request/options.js';

const KEY = Buffer.from('secretkey');

test('signURL known answer from the Go documentation', () => {
  const req = parseRequest('/400x400,q40/https://octodex.github.com/images/codercat.jpg');
  const got = signURL('secretkey', req.remoteString, req.options);
  assert.equal(got, '0sR2kjyfiF1RQRj4Jm2fFa3_6SDFqdAaDEmy1oD2U-4=', `signURL(secretkey, ${req.remoteString}, 400x400,q40) = ${got}`);
  // Buffer and string keys sign the same.
  assert.equal(signURL(KEY, req.remoteString, req.options), got);
  // Option order does not matter: the canonical form is signed.
  const other = signURL(KEY, req.remoteString, parseOptions('q40,400'));
  assert.equal(other, got, `signURL with options q40,400 = ${other}, want ${got}`);
});

test('signURL over the URL alone differs from the options form', () => {
  const url = 'https://octodex.github.com/images/codercat.jpg';
  const a = signURL(KEY, url);
  const b = signURL(KEY, url, parseOptions('400x400,q40'));
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}=$/, `signURL(${url}) = ${a}, want 44 base64url chars with padding`);
});

test('verifySignature accepts both forms, with or without padding, for any key', () => {
  const remote = 'https://octodex.github.com/images/codercat.jpg';
  const withOpts = '0sR2kjyfiF1RQRj4Jm2fFa3_6SDFqdAaDEmy1oD2U-4=';
  const urlOnly = signURL(KEY, remote);
  const keys = [Buffer.from('other'), KEY];
  const good = [
    `/400x400,q40,s${withOpts}/${remote}`,
    `/400x400,q40,s${withOpts.slice(0, -1)}/${remote}`,
    `/s${withOpts},q40,400/${remote}`,
    `/s${urlOnly}/${remote}`,
    `/100x,s${urlOnly.slice(0, -1)}/${remote}`,
  ];
  for (const path of good) {
    assert.equal(verifySignature(keys, parseRequest(path)), true, `verifySignature(${path}) = false, want true`);
  }
});

test('verifySignature refuses bad signatures without throwing', () => {
  const remote = 'https://octodex.github.com/images/codercat.jpg';
  const sig = '0sR2kjyfiF1RQRj4Jm2fFa3_6SDFqdAaDEmy1oD2U-4';
  const bad = [
    `/400x400,q40/${remote}`, // none
    `/400x400,q40,s/${remote}`, // empty
    `/400x400,q41,s${sig}/${remote}`, // other options
    `/400x400,q40,s${sig}/${remote}?x=1`, // other URL
    `/400x400,q40,s${sig.slice(0, -2)}/${remote}`, // short
    `/400x400,q40,s${sig}AAAA/${remote}`, // overlong
    `/400x400,q40,s${sig.replace('-', '+')}/${remote}`, // std alphabet
    `/400x400,q40,s${sig}==/${remote}`, // too much padding
    `/400x400,q40,s${'!'.repeat(43)}/${remote}`, // not base64
    `/400x400,q40,s${sig.slice(0, 20)}%20${sig.slice(20)}/${remote}`,
  ];
  for (const path of bad) {
    assert.equal(verifySignature([KEY], parseRequest(path)), false, `verifySignature(${path}) = true, want false`);
  }
  assert.equal(verifySignature([], parseRequest(`/400x400,q40,s${sig}/${remote}`)), false, 'no keys must verify nothing');
  assert.equal(verifySignature([Buffer.alloc(0)], parseRequest(`/s${signURL('', remote)}/${remote}`)), false, 'an empty key must verify nothing');
});

test('signatures cover remoteString exactly as Go prints it', () => {
  // Go keeps the host's case and adds no trailing slash; a WHATWG href would differ and not verify.
  const path = '/x/http://Example.COM';
  const req = parseRequest(path);
  const goSig = signURL(KEY, 'http://Example.COM');
  const whatwgSig = signURL(KEY, req.remote.href);
  assert.notEqual(goSig, whatwgSig);
  assert.equal(verifySignature([KEY], parseRequest(`/s${goSig}/http://Example.COM`)), true);
  assert.equal(verifySignature([KEY], parseRequest(`/s${whatwgSig}/http://Example.COM`)), false);
});

test('option signatures cover the webp and avif tokens: a signature for one format does not pass for another', () => {
  const remote = 'https://images.example/photo.jpg';
  const cases: Array<{ signed: string; asked: string; want: boolean }> = [
    { signed: '300x,webp', asked: '300x,webp', want: true },
    { signed: '300x,webp', asked: 'webp,300x', want: true },
    { signed: '300x,avif,q60', asked: 'q60,avif,300x', want: true },
    { signed: '300x,webp', asked: '300x,avif', want: false },
    { signed: '300x,webp', asked: '300x', want: false },
    { signed: '300x', asked: '300x,webp', want: false },
    { signed: '300x,avif', asked: '300x,avif,q60', want: false },
  ];
  for (const { signed, asked, want } of cases) {
    const sig = signURL(KEY, remote, parseOptions(signed));
    const path = `/${asked},s${sig}/${remote}`;
    const got = verifySignature([KEY], parseRequest(path));
    assert.equal(got, want, `verifySignature(signed ${signed}, asked ${path}) = ${got}, want ${want}`);
  }
});
