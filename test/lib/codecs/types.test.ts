import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badImage, hasTransparency } from '../../../lib/codecs/types.js';

test('badImage keeps a library error out of the client message and in the log detail', () => {
  const cases: Array<{ reason: string; cause?: unknown; wantMessage: string; wantDetail?: string | undefined }> = [
    { reason: 'The PNG image is corrupt', cause: new Error('invalid distance too far back\nat inflate'), wantMessage: 'The PNG image is corrupt.', wantDetail: 'invalid distance too far back' },
    { reason: 'The GIF image is corrupt.', cause: 'bad code', wantMessage: 'The GIF image is corrupt.', wantDetail: 'bad code' },
    { reason: 'The image has no frame', wantMessage: 'The image has no frame.' },
  ];
  for (const { reason, cause, wantMessage, wantDetail } of cases) {
    const e = badImage(reason, cause);
    assert.equal(e.status, 422, `badImage(${reason}).status = ${e.status}, want 422`);
    assert.equal(e.message, wantMessage, `badImage(${reason}).message = ${e.message}, want ${wantMessage}`);
    assert.equal(e.detail, wantDetail, `badImage(${reason}).detail = ${e.detail}, want ${wantDetail}`);
  }
});

test('hasTransparency', () => {
  const cases: Array<{ px: number[]; want: boolean }> = [{ px: [1, 2, 3, 255], want: false }, { px: [1, 2, 3, 255, 0, 0, 0, 254], want: true }, { px: [], want: false }];
  for (const { px, want } of cases) {
    const got = hasTransparency(new Uint8Array(px));
    assert.equal(got, want, `hasTransparency(${px}) = ${got}, want ${want}`);
  }
});

test('hasTransparency reads word-aligned and unaligned views alike, and ignores a partial last pixel', () => {
  const buf = new Uint8Array(64).fill(255);
  const cases: Array<{ name: string; view: Uint8Array; want: boolean }> = [
    { name: 'aligned, opaque', view: buf.subarray(0, 40), want: false },
    { name: 'unaligned, opaque', view: buf.subarray(1, 41), want: false },
    { name: 'aligned, alpha 0 in the last pixel', view: (() => { const b = new Uint8Array(40).fill(255); b[39] = 0; return b; })(), want: true },
    { name: 'unaligned, alpha 254 in the first pixel', view: (() => { const b = new Uint8Array(45).fill(255); b[4] = 254; return b.subarray(1, 41); })(), want: true },
    { name: 'partial last pixel with a low byte', view: (() => { const b = new Uint8Array(42).fill(255); b[41] = 0; return b; })(), want: false },
    { name: 'only colour bytes low', view: new Uint8Array([0, 0, 0, 255, 7, 7, 7, 255]), want: false },
  ];
  for (const { name, view, want } of cases) {
    const got = hasTransparency(view);
    assert.equal(got, want, `hasTransparency(${name}) = ${got}, want ${want}`);
  }
});
