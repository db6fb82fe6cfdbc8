import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '../../../lib/codecs/index.js';
import { decodeWebp, readWebpHeader } from '../../../lib/codecs/webp.js';
import {
  demuxAnimation, makeChunk, muxAnimation, riff, vp8xChunk, VP8X_ALPHA, VP8X_ANIMATION, type Animation, type StillParts,
} from '../../../lib/codecs/webpmux.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { F, fixture, makeAnimatedGif } from '../../helpers/codec-fixtures.js';

const MAX = 50_000_000;
const is422 = (e: unknown): boolean => e instanceof UnprocessableImageError && e.status === 422;
/** gif2webp (libwebp 1.2.4, lossless) conversions of GIFs, so frames must match the GIF decoder's exactly. */
const ANIM_IM_WEBP = 'codecs/anim-im.webp';
const ANIM_DISPOSAL_WEBP = 'codecs/anim-disposal.webp';

/** visibleDiff counts pixels that differ where either image is visible (alpha > 0). */
function visibleDiff(a: Bitmap, b: Bitmap): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i + 3] === 0 && b.data[i + 3] === 0) continue;
    for (let c = 0; c < 4; c++) if (a.data[i + c] !== b.data[i + c]) { n++; break; }
  }
  return n;
}

test('animated WebP from libwebp decodes to the same composed frames, delays and loop count as its GIF', async () => {
  const cases: Array<{ name: string; webp: Uint8Array; gif: Uint8Array }> = [
    { name: ANIM_IM_WEBP, webp: fixture(ANIM_IM_WEBP), gif: fixture(F.animImGif) },
    { name: ANIM_DISPOSAL_WEBP, webp: fixture(ANIM_DISPOSAL_WEBP), gif: makeAnimatedGif() },
  ];
  for (const { name, webp, gif } of cases) {
    const w = await decode(webp, { maxPixels: MAX });
    const g = await decode(gif, { maxPixels: MAX });
    assert.equal(w.frames.length, g.frames.length, `frames of ${name} = ${w.frames.length}, want ${g.frames.length}`);
    assert.deepEqual(w.frames.map((f) => f.delayMs), g.frames.map((f) => f.delayMs), `delays of ${name}`);
    assert.equal(w.loopCount, g.loopCount, `loopCount of ${name} = ${w.loopCount}, want ${g.loopCount} (the GIF's)`);
    assert.equal(w.hasAlpha, g.hasAlpha, `hasAlpha of ${name} = ${w.hasAlpha}, want ${g.hasAlpha}`);
    for (let i = 0; i < g.frames.length; i++) {
      const n = visibleDiff(w.frames[i].bitmap, g.frames[i].bitmap);
      assert.equal(n, 0, `frame ${i} of ${name} differs from the GIF's in ${n} visible pixels`);
    }
  }
});

test('readWebpHeader counts animation frames so probe budgets every frame', () => {
  const h = readWebpHeader(fixture(ANIM_DISPOSAL_WEBP));
  assert.equal(`${h.width}x${h.height} animated=${h.animated} frames=${h.frames}`, '6x4 animated=true frames=3',
    `readWebpHeader(${ANIM_DISPOSAL_WEBP}) = ${JSON.stringify(h)}`);
  assert.equal(readWebpHeader(fixture(F.bppLossyWebp)).frames, 1, `readWebpHeader(${F.bppLossyWebp}).frames is not 1`);
});

test('muxAnimation and demuxAnimation agree on every ANIM and ANMF field', () => {
  const parts: StillParts = demuxAnimation(fixture(ANIM_IM_WEBP), 10).frames[0].parts;
  const a: Animation = {
    width: 300, height: 200, loopCount: 7, background: [10, 20, 30, 40], hasAlpha: true,
    frames: [
      { x: 0, y: 0, width: 8, height: 8, durationMs: 70, blend: false, dispose: true, parts },
      { x: 290, y: 192, width: 8, height: 8, durationMs: 0xffffff, blend: true, dispose: false, parts },
    ],
  };
  const back = demuxAnimation(muxAnimation(a), 10);
  const strip = (x: Animation): unknown => ({ ...x, frames: x.frames.map(({ parts: _p, ...f }) => f) });
  assert.deepEqual(strip(back), strip(a), 'demuxAnimation(muxAnimation(a)) differs from a');
});

/** frameFile builds an animated WebP: canvas w x h, one ANMF with the given header fields and image chunks. */
function frameFile(canvas: [number, number], rect: [x: number, y: number, w: number, h: number], image: Uint8Array[], anim = true): Uint8Array {
  const h = new Uint8Array(16);
  const put24 = (at: number, v: number): void => { h[at] = v & 255; h[at + 1] = (v >> 8) & 255; h[at + 2] = (v >> 16) & 255; };
  put24(0, rect[0] / 2); put24(3, rect[1] / 2); put24(6, rect[2] - 1); put24(9, rect[3] - 1); put24(12, 100);
  const chunks = [vp8xChunk(VP8X_ANIMATION | VP8X_ALPHA, canvas[0], canvas[1])];
  if (anim) chunks.push(makeChunk('ANIM', new Uint8Array(6)));
  chunks.push(makeChunk('ANMF', h, ...image));
  return riff(chunks);
}

test('hostile animated WebP is a 422, never a crash or a hang', async () => {
  const good = fixture(ANIM_DISPOSAL_WEBP);
  const vp8l8 = demuxAnimation(fixture(ANIM_IM_WEBP), 10).frames[0].parts.image; // an 8x8 VP8L chunk
  const wrongRiff = good.slice(); wrongRiff[4] = 0xff; wrongRiff[5] = 0xff;
  const wrongChunk = good.slice(); wrongChunk[44 + 4] = 0xf0; wrongChunk[44 + 5] = 0xff; // first ANMF's size
  const cases: Array<{ name: string; bytes: Uint8Array; reason: RegExp }> = [
    { name: 'truncated at 60', bytes: good.subarray(0, 60), reason: /truncated/ },
    { name: 'truncated at 150', bytes: good.subarray(0, 150), reason: /truncated/ },
    { name: 'RIFF size past the end', bytes: wrongRiff, reason: /truncated|RIFF size/ },
    { name: 'ANMF size past the end', bytes: wrongChunk, reason: /truncated|wrong size/ },
    { name: 'canvas 16777216x16777216', bytes: frameFile([16777216, 16777216], [0, 0, 8, 8], [vp8l8]), reason: /too large/ },
    { name: 'canvas 5000x5000 x 3 frames over 50 MP', bytes: riff([vp8xChunk(VP8X_ANIMATION, 5000, 5000), makeChunk('ANIM', new Uint8Array(6)),
      ...[0, 1, 2].map(() => demuxFrameChunk(good))]), reason: /too large/ },
    { name: 'frame past the canvas', bytes: frameFile([8, 8], [2, 2, 8, 8], [vp8l8]), reason: /outside its canvas/ },
    { name: 'frame 16777216 wide', bytes: frameFile([8, 8], [0, 0, 16777216, 1], [vp8l8]), reason: /outside its canvas/ },
    { name: 'frame header 4x4 over an 8x8 bitstream', bytes: frameFile([8, 8], [0, 0, 4, 4], [vp8l8]), reason: /does not match/ },
    { name: 'frame 8x8 over a bitstream claiming 16383x16383', bytes: frameFile([8, 8], [0, 0, 8, 8], [makeChunk('VP8L', new Uint8Array([0x2f, 0xfe, 0xbf, 0xff, 0x0f, 0, 0, 0]))]), reason: /does not match/ },
    { name: 'frame without image data', bytes: frameFile([8, 8], [0, 0, 8, 8], [makeChunk('XYZW', new Uint8Array(4))]), reason: /no image data/ },
    { name: 'no ANIM chunk', bytes: frameFile([8, 8], [0, 0, 8, 8], [vp8l8], false), reason: /ANIM/ },
    { name: 'frame with a corrupt bitstream', bytes: frameFile([8, 8], [0, 0, 8, 8], [makeChunk('VP8L', new Uint8Array([0x2f, 7, 0xc0, 1, 0, ...new Array<number>(36).fill(0xff)]))]), reason: /corrupt/ },
  ];
  for (const { name, bytes, reason } of cases) {
    await assert.rejects(decode(bytes, { maxPixels: MAX }), (e: unknown) => is422(e) && reason.test((e as Error).message),
      `decode(${name}) did not reject with a 422 matching ${reason}`);
  }
  await assert.rejects(decodeWebp(good, { maxFrames: 2 }), (e: unknown) => is422(e) && /more than 2 frames/.test((e as Error).message),
    'decodeWebp(3 frames, maxFrames 2) did not reject with a 422');
});

/** demuxFrameChunk returns the first ANMF chunk of an animated WebP, whole. */
function demuxFrameChunk(b: Uint8Array): Uint8Array {
  const at = 44; // after RIFF header, VP8X (18 + 8... ) and ANIM, as gif2webp writes them
  const size = b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16);
  return b.slice(at, at + 8 + size + (size & 1));
}

test('mutated and truncated animated WebP decode or give a 422', async () => {
  let seed = 977;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (const name of [ANIM_IM_WEBP, ANIM_DISPOSAL_WEBP]) {
    const good = fixture(name);
    const inputs: [string, Uint8Array][] = [];
    for (let cut = 12; cut < good.length; cut += 7) inputs.push([`${name} cut at ${cut}`, good.subarray(0, cut)]);
    for (let i = 0; i < 60; i++) {
      const b = good.slice();
      for (let k = 0; k < 1 + rnd(4); k++) b[12 + rnd(b.length - 12)] = rnd(256);
      inputs.push([`${name} mutation ${i}`, b]);
    }
    for (const [label, bytes] of inputs) {
      try {
        const d = await decode(bytes, { maxPixels: 1_000_000 });
        assert.ok(d.frames.length >= 1, `decode(${label}) returned no frames`);
      } catch (e) {
        assert.ok(is422(e), `decode(${label}) threw ${String(e)}, want a 422`);
      }
    }
  }
});
