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
