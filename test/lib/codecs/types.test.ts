import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badImage, hasTransparency } from '../../../lib/codecs/types.js';

test('badImage keeps a library error out of the client message and in the log detail', () => {
  const cases: Array<[string, unknown, string, string | undefined]> = [
    ['The PNG image is corrupt', new Error('invalid distance too far back\nat inflate'), 'The PNG image is corrupt.', 'invalid distance too far back'],
    ['The GIF image is corrupt.', 'bad code', 'The GIF image is corrupt.', 'bad code'],
    ['The image has no frame', undefined, 'The image has no frame.', undefined],
  ];
  for (const [reason, cause, wantMessage, wantDetail] of cases) {
    const e = badImage(reason, cause);
    assert.equal(e.status, 422, `badImage(${reason}).status = ${e.status}, want 422`);
    assert.equal(e.message, wantMessage, `badImage(${reason}).message = ${e.message}, want ${wantMessage}`);
    assert.equal(e.detail, wantDetail, `badImage(${reason}).detail = ${e.detail}, want ${wantDetail}`);
  }
});

test('hasTransparency', () => {
  const cases: Array<[number[], boolean]> = [[[1, 2, 3, 255], false], [[1, 2, 3, 255, 0, 0, 0, 254], true], [[], false]];
  for (const [px, want] of cases) {
    const got = hasTransparency(new Uint8Array(px));
    assert.equal(got, want, `hasTransparency(${px}) = ${got}, want ${want}`);
  }
});
