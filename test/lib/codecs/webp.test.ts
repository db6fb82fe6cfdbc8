import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { decodeWebp, readWebpHeader } from '../../../lib/codecs/webp.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { DIST, FIXTURES } from '../../helpers/paths.js';
import { F, fixture, maxDiff, px } from '../../helpers/codec-fixtures.js';

test('decodeWebp decodes lossless exactly and lossy closely', async () => {
  const lossless = (await decodeWebp(fixture(F.bppLosslessWebp))).bitmap;
  const ref = decodePng(fixture(F.bppPng)).bitmap;
  assert.equal(maxDiff(lossless, ref), 0, `decodeWebp(${F.bppLosslessWebp}) differs from ${F.bppPng}`);
  const lossy = (await decodeWebp(fixture(F.bppLossyWebp))).bitmap;
  let sum = 0;
  for (let i = 0; i < ref.data.length; i++) sum += Math.abs(ref.data[i] - lossy.data[i]);
  const mean = sum / ref.data.length;
  assert.ok(mean < 8, `mean abs error of decodeWebp(${F.bppLossyWebp}) = ${mean.toFixed(2)}, want < 8`);
});

test('decodeWebp keeps alpha of lossy-with-alpha and lossless files', async () => {
  const cases: Array<{ name: string; w: number; h: number; alpha: boolean }> = [{ name: F.roseAlphaWebp, w: 400, h: 301, alpha: true }, { name: F.tuxLosslessWebp, w: 386, h: 395, alpha: true }];
  for (const { name, w, h, alpha } of cases) {
    const { bitmap, hasAlpha } = await decodeWebp(fixture(name));
    assert.equal(`${bitmap.width}x${bitmap.height}`, `${w}x${h}`, `decodeWebp(${name}) size = ${bitmap.width}x${bitmap.height}, want ${w}x${h}`);
    assert.equal(hasAlpha, alpha, `decodeWebp(${name}).hasAlpha = ${hasAlpha}, want ${alpha}`);
    assert.equal(px(bitmap, 0, 0).endsWith(',0'), true, `decodeWebp(${name}) pixel(0,0) = ${px(bitmap, 0, 0)}, want transparent`);
  }
});

test('readWebpHeader reads VP8, VP8L and VP8X sizes and decodeWebp refuses animation and garbage', async () => {
  const vp8x = new Uint8Array(30);
  vp8x.set(new TextEncoder().encode('RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0'));
  vp8x[20] = 0x12; // animation + alpha flags
  vp8x.set([0xff, 0x3f, 0x00, 0xff, 0x3f, 0x00], 24); // 16384 x 16384
  const h = readWebpHeader(vp8x);
  assert.equal(`${h.width}x${h.height} ${h.animated} ${h.alpha}`, '16384x16384 true true', `readWebpHeader(vp8x) = ${JSON.stringify(h)}`);
  const garbage = fixture(F.bppLossyWebp).slice();
  garbage.fill(0x55, 40);
  const cases: Array<{ name: string; bytes: Uint8Array; reason: RegExp }> = [
    { name: 'animated VP8X', bytes: vp8x, reason: /Animated/ },
    { name: 'corrupt VP8 data', bytes: garbage, reason: /is corrupt or uses a feature we cannot decode\.$/ },
    { name: 'truncated', bytes: fixture(F.bppLossyWebp).subarray(0, 20), reason: /truncated/ },
  ];
  for (const { name, bytes, reason } of cases) {
    await assert.rejects(decodeWebp(bytes), (e: unknown) => e instanceof UnprocessableImageError && e.status === 422 && reason.test(e.message),
      `decodeWebp(${name}) did not reject with a 422 matching ${reason}`);
  }
});

test('decodeWebp works inside a worker thread', async () => {
  const mod = path.join(DIST, 'lib', 'codecs', 'webp.js');
  const file = path.join(FIXTURES, F.bppLossyWebp);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    import(workerData.mod).then((m) => m.decodeWebp(new Uint8Array(readFileSync(workerData.file))))
      .then((r) => parentPort.postMessage(r.bitmap.width + 'x' + r.bitmap.height), (e) => parentPort.postMessage('error: ' + e.message));`;
  const worker = new Worker(code, { eval: true, workerData: { mod, file } });
  try {
    const got = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    assert.equal(got, '150x100', `decodeWebp in a worker = ${String(got)}, want 150x100`);
  } finally {
    await worker.terminate();
  }
});
