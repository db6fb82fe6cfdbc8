import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGif } from '../../../lib/codecs/gif.js';
import { fixture } from '../../helpers/codec-fixtures.js';

// giflib 5.2.1 (Debian source package giflib, MIT): pic/*.gif and the tests/*.rgb giflib's own
// regression tests compare `gif2rgb -1` against (the screen after the last image, as RGB).

test('decodeGif gives the screen giflib\'s gif2rgb gives, after the last frame', () => {
  const cases: Array<{ gif: string; rgb: string; frames: number }> = [
    { gif: 'giflib/treescap.gif', rgb: 'giflib/treescap.rgb', frames: 1 },
    { gif: 'giflib/treescap-interlaced.gif', rgb: 'giflib/treescap-interlaced.rgb', frames: 1 },
    { gif: 'giflib/fire.gif', rgb: 'giflib/fire.rgb', frames: 33 },
  ];
  for (const c of cases) {
    const { frames } = decodeGif(fixture(c.gif));
    assert.equal(frames.length, c.frames, `decodeGif(${c.gif}) has ${frames.length} frames, want ${c.frames}`);
    const bm = frames[frames.length - 1].bitmap;
    const want = fixture(c.rgb);
    assert.equal(bm.width * bm.height * 3, want.length, `decodeGif(${c.gif}) size ${bm.width}x${bm.height} does not match ${c.rgb}`);
    let wrong = 0;
    for (let i = 0; i < bm.width * bm.height; i++) for (let k = 0; k < 3; k++) if (bm.data[i * 4 + k] !== want[i * 3 + k]) wrong++;
    assert.equal(wrong, 0, `decodeGif(${c.gif}) last frame differs from ${c.rgb} in ${wrong} samples`);
  }
});
