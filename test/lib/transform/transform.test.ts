import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, detectFormat, encode } from '../../../lib/codecs/index.js';
import type { Bitmap, EncodableFormat, Frame } from '../../../lib/codecs/types.js';
import { isProxyError } from '../../../lib/errors.js';
import { parseOptions } from '../../../lib/request/options.js';
import type { Limits } from '../../../lib/config.js';
import { jpegQuality, outputFormat, renderFrames, transform } from '../../../lib/transform/transform.js';
import { resize } from '../../../lib/transform/resample.js';
import { decodeJpegToPlanes, encodeJpegYcc } from '../../../lib/codecs/jpeg.js';
import { orientedSize, planFor, stepsFor } from '../../../lib/transform/geometry.js';
import { cutsFor, mapCut, resamplePlanes } from '../../../lib/transform/planar.js';
import { exifOrientation, then, turn } from '../../../lib/transform/dihedral.js';
import { readOrientation } from '../../../lib/codecs/index.js';
import type { DecodedImage } from '../../../lib/codecs/types.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';
import {
  BLUE, GREEN, RED, WHITE, YELLOW, fromRows, quarters, rgby, show, solid, toRows, type RGBA,
} from './bitmaps.js';

const LIMITS: Limits = { maxPixels: 10_000_000, maxOutputSide: 4096 };

async function encodeStill(b: Bitmap, format: EncodableFormat): Promise<Uint8Array> {
  const hasAlpha = b.data.some((v, i) => i % 4 === 3 && v !== 255);
  return encode({ frames: [{ bitmap: b, delayMs: 0 }], loopCount: 0, hasAlpha }, format, 100);
}

async function run(bytes: Uint8Array, opts: string, limits = LIMITS): Promise<{ format?: string; type: string; first: Bitmap; frames: Frame[]; loop: number }> {
  const r = await transform(bytes, parseOptions(opts), limits);
  const d = await decode(r.bytes, { maxPixels: 1e8 });
  return { format: detectFormat(r.bytes), type: r.contentType, first: d.frames[0].bitmap, frames: d.frames, loop: d.loopCount };
}

async function rejects422(p: Promise<unknown>, name: string, code?: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isProxyError(err), `${name}: threw ${String(err)}, want a ProxyError`);
    assert.equal(err.status, 422, `${name}: status = ${err.status}, want 422`);
    if (code) assert.equal(err.code, code, `${name}: code = ${err.code}, want ${code}`);
    assert.match(err.message, /^[A-Z][^\n]*\.$/, `${name}: message ${JSON.stringify(err.message)} is not one sentence`);
    return true;
  }, `${name}: want a 422 rejection`);
}

test('no transformation returns the very same bytes with the sniffed type', async () => {
  const png = await encodeStill(rgby(), 'png');
  for (const o of ['', '0x0', 'sabc', 'vu1800000000', 'scaleUp', 'fit', 'sc', 'r0']) {
    const r = await transform(png, parseOptions(o), LIMITS);
    assert.equal(r.bytes, png, `transform(png, ${JSON.stringify(o)}) returned new bytes, want the input`);
    assert.equal(r.contentType, 'image/png', `transform(png, ${JSON.stringify(o)}).contentType = ${r.contentType}`);
  }
  const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  const r = await transform(svg, parseOptions('100x100,r90,png'), LIMITS);
  assert.equal(r.bytes, svg, 'an SVG is returned unchanged even when a transform is asked for');
  assert.equal(r.contentType, 'image/svg+xml', `svg contentType = ${r.contentType}`);
});

test('PNG in, PNG out: exact pixels for rotate, flip, crop, resize', async () => {
  const png = await encodeStill(quarters(), 'png');
  const cases: Array<[string, RGBA[][]]> = [
    ['r90', toRows(fromRows([
      [GREEN, GREEN, YELLOW, YELLOW], [GREEN, GREEN, YELLOW, YELLOW],
      [RED, RED, BLUE, BLUE], [RED, RED, BLUE, BLUE]]))],
    ['cx2,cy2', [[YELLOW, YELLOW], [YELLOW, YELLOW]]],
    ['cx-2,cw1,ch0.5', [[GREEN], [GREEN]]],
    ['cx1,cy1,cw2,ch2', [[RED, GREEN], [BLUE, YELLOW]]],
    ['cx1,cy1,cw2,ch2,fh,fv', [[YELLOW, BLUE], [GREEN, RED]]],
    ['cx1,cy1,cw2,ch2,r-90', [[BLUE, RED], [YELLOW, GREEN]]],
    ['2x2', [[[221, 18, 17, 255], [34, 237, 1, 255]], [[34, 18, 220, 255], [221, 237, 17, 255]]]],
    ['0.5x', [[[221, 18, 17, 255], [34, 237, 1, 255]], [[34, 18, 220, 255], [221, 237, 17, 255]]]],
  ];
  for (const [o, want] of cases) {
    const got = await run(png, o);
    assert.equal(got.type, 'image/png', `transform(quarters.png, ${o}).contentType = ${got.type}`);
    assert.deepEqual(toRows(got.first), want, `transform(quarters.png, ${o}) = ${show(got.first)}, want ${JSON.stringify(want)}`);
  }
});

test('sizes: aspect ratio, no upscaling without scaleUp, cover vs fit', async () => {
  const png = await encodeStill(solid(100, 50, [10, 20, 30, 255]), 'png');
  const cases: Array<[string, string]> = [
    ['50x', '50x25'], ['x10', '20x10'], ['200x', '100x50'], ['200x,scaleUp', '200x100'],
    ['40x40', '40x40'], ['40x40,fit', '40x20'], ['0.5x0.5', '50x25'], ['1000x1000,fit', '100x50'],
    ['300x,r90,scaleUp', '150x300'], ['q50,png', '100x50'],
  ];
  for (const [o, want] of cases) {
    const got = await run(png, o);
    assert.equal(`${got.first.width}x${got.first.height}`, want, `transform(100x50, ${o}) size = ${got.first.width}x${got.first.height}, want ${want}`);
    const off = toRows(got.first).flat().find((p) => p.join() !== '10,20,30,255');
    assert.equal(off, undefined, `transform(solid 100x50, ${o}) has pixel ${JSON.stringify(off)}`);
  }
});

test('output format selection', async () => {
  const bmp = rgby();
  const cases: Array<[EncodableFormat | 'webp', string, string]> = [
    ['png', 'r90', 'png'], ['gif', 'r90', 'gif'], ['bmp', 'r90', 'bmp'], ['jpeg', 'r90', 'jpeg'],
    ['tiff', 'r90', 'jpeg'], ['png', 'r90,jpeg', 'jpeg'], ['png', 'tiff', 'tiff'], ['gif', 'png', 'png'],
    ['jpeg', 'png', 'png'],
  ];
  for (const [src, o, want] of cases) {
    const bytes = src === 'webp' ? fixture(F.bppLosslessWebp) : await encodeStill(bmp, src);
    const r = await transform(bytes, parseOptions(o), LIMITS);
    const got = detectFormat(r.bytes);
    assert.equal(got, want, `transform(${src}, ${o}) format = ${got}, want ${want}`);
    assert.equal(r.contentType, `image/${want}`, `transform(${src}, ${o}).contentType = ${r.contentType}`);
  }
  const webp = await transform(fixture(F.bppLosslessWebp), parseOptions('10x'), LIMITS);
  assert.equal(detectFormat(webp.bytes), 'jpeg', 'a WebP source becomes JPEG');
  const cases2: Array<['webp' | 'tiff' | 'png' | 'svg', '' | 'png', string]> = [
    ['webp', '', 'jpeg'], ['tiff', '', 'jpeg'], ['png', '', 'png'], ['webp', 'png', 'png'],
  ];
  for (const [src, req, want] of cases2) {
    assert.equal(outputFormat(src, req), want, `outputFormat(${src}, ${JSON.stringify(req)}) = ${outputFormat(src, req)}, want ${want}`);
  }
  for (const [q, want] of [[0, 95], [50, 50], [-3, 1], [200, 100]]) {
    assert.equal(jpegQuality(q), want, `jpegQuality(${q}) = ${jpegQuality(q)}, want ${want}`);
  }
});

test('JPEG output flattens alpha onto black', async () => {
  const png = await encodeStill(solid(16, 16, [255, 255, 255, 0]), 'png');
  const got = await run(png, 'jpeg');
  const max = Math.max(...toRows(got.first).flat().flatMap((p) => p.slice(0, 3)));
  assert.ok(max <= 2, `transform(transparent white, jpeg) brightest channel = ${max}, want black`);
});

test('animated GIF keeps every frame, its timing and the loop count', async () => {
  const frames: Frame[] = [
    { bitmap: solid(8, 6, RED), delayMs: 100 },
    { bitmap: solid(8, 6, GREEN), delayMs: 200 },
    { bitmap: solid(8, 6, BLUE), delayMs: 300 },
  ];
  const gif = await encode({ frames, loopCount: 3, hasAlpha: false }, 'gif', 0);
  const got = await run(gif, '4x,fh');
  assert.equal(got.format, 'gif', `format = ${got.format}, want gif`);
  assert.equal(got.frames.length, 3, `frames = ${got.frames.length}, want 3`);
  assert.deepEqual(got.frames.map((f) => f.delayMs), [100, 200, 300], 'frame delays');
  assert.equal(got.loop, 3, `loop count = ${got.loop}, want 3`);
  got.frames.forEach((f, i) => {
    assert.equal(`${f.bitmap.width}x${f.bitmap.height}`, '4x3', `frame ${i} size = ${f.bitmap.width}x${f.bitmap.height}, want 4x3`);
    const want = [RED, GREEN, BLUE][i];
    assert.deepEqual(toRows(f.bitmap)[0][0], want, `frame ${i} colour = ${JSON.stringify(toRows(f.bitmap)[0][0])}, want ${JSON.stringify(want)}`);
  });
  const png = await run(gif, '4x,png');
  assert.equal(png.frames.length, 1, 'converting an animation to PNG keeps the first frame');
  assert.deepEqual(toRows(png.first)[0][0], RED, 'the first frame is the one kept');
});

test('trim removes borders of the top-left colour', async () => {
  const W = WHITE;
  const png = await encodeStill(fromRows([
    [W, W, W, W, W, W],
    [W, W, RED, GREEN, W, W],
    [W, W, BLUE, YELLOW, W, W],
    [W, W, W, W, W, W],
  ]), 'png');
  const got = await run(png, 'trim');
  assert.deepEqual(toRows(got.first), [[RED, GREEN], [BLUE, YELLOW]], `transform(framed, trim) = ${show(got.first)}`);
  const rot = await run(png, 'trim,r180');
  assert.deepEqual(toRows(rot.first), [[YELLOW, BLUE], [GREEN, RED]], `transform(framed, trim,r180) = ${show(rot.first)}`);
  const plain = await run(await encodeStill(solid(3, 3, RED), 'png'), 'trim');
  assert.equal(`${plain.first.width}x${plain.first.height}`, '3x3', 'a one-colour image is not trimmed away');
});

test('EXIF orientation is applied to JPEG sources before anything else', async () => {
  const upright = (await decode(fixture(F.orientation(0)), { maxPixels: 1e8 })).frames[0].bitmap;
  for (let n = 1; n <= 8; n++) {
    const got = (await run(fixture(F.orientation(n)), 'png')).first;
    assert.equal(`${got.width}x${got.height}`, `${upright.width}x${upright.height}`,
      `orientation_${n}.jpg size = ${got.width}x${got.height}, want ${upright.width}x${upright.height}`);
    let sum = 0;
    for (let i = 0; i < got.data.length; i++) sum += Math.abs(got.data[i] - upright.data[i]);
    const mean = sum / got.data.length;
    assert.ok(mean < 6, `orientation_${n}.jpg differs from orientation_0.jpg by ${mean.toFixed(2)} per channel, want < 6`);
  }
});

test('smart crop picks the interesting side, then scales to the requested size', async () => {
  // A flat grey 120x60 image with busy, saturated stripes on its right third.
  const rows: RGBA[][] = [];
  for (let y = 0; y < 60; y++) {
    rows.push(Array.from({ length: 120 }, (_, x): RGBA =>
      (x >= 80 ? ((x + y) % 4 < 2 ? [250, 20, 20, 255] : [20, 20, 250, 255]) : [128, 128, 128, 255])));
  }
  const png = await encodeStill(fromRows(rows), 'png');
  const got = await run(png, '30x30,sc');
  assert.equal(`${got.first.width}x${got.first.height}`, '30x30', `smart crop size = ${got.first.width}x${got.first.height}`);
  const grey = toRows(got.first).flat().filter((p) => p[0] === 128 && p[1] === 128 && p[2] === 128).length;
  assert.ok(grey < 450, `smart crop kept ${grey} of 900 grey pixels, want the striped side`);
});

test('limits: too many pixels or too large an output is a 422', async () => {
  const png = await encodeStill(solid(100, 50, RED), 'png');
  await rejects422(transform(png, parseOptions('10x'), { maxPixels: 4999, maxOutputSide: 4096 }), 'maxPixels', 'too_many_pixels');
  await rejects422(transform(png, parseOptions('301x,scaleUp'), { maxPixels: 1e6, maxOutputSide: 300 }), 'maxOutputSide', 'output_too_large');
  await rejects422(transform(png, parseOptions('1e9x1e9,scaleUp'), { maxPixels: 1e6, maxOutputSide: 300 }), 'huge request', 'output_too_large');
  await rejects422(transform(png, parseOptions('r90'), { maxPixels: 1e6, maxOutputSide: 64 }), 'rotated source larger than maxOutputSide', 'output_too_large');
  const ok = await run(png, '300x,scaleUp', { maxPixels: 1e6, maxOutputSide: 300 });
  assert.equal(ok.first.width, 300, 'an output exactly at the limit is allowed');
  await rejects422(transform(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), parseOptions('10x'), LIMITS), 'corrupt PNG');
  // A small source scaled to cover an extreme aspect is resized before it is cropped.
  const narrow = await encodeStill(solid(10, 99, RED), 'png');
  await rejects422(transform(narrow, parseOptions('4000x8,scaleUp'), { maxPixels: 1e6, maxOutputSide: 4096 }), 'huge intermediate', 'output_too_large');
  // Trim can leave a sliver whose aspect ratio explodes; the limit is checked again after trim.
  const W = WHITE;
  const sliver = await encodeStill(fromRows([[W, RED, W, W], [W, RED, W, W], [W, RED, W, W], [W, W, W, W]]), 'png');
  const small = await run(sliver, '2x,scaleUp', { maxPixels: 1e6, maxOutputSide: 5 });
  assert.equal(`${small.first.width}x${small.first.height}`, '2x2', 'without trim the output fits');
  await rejects422(transform(sliver, parseOptions('2x,trim,scaleUp'), { maxPixels: 1e6, maxOutputSide: 5 }), 'trimmed sliver', 'output_too_large');
});

test('limits: the output is held to the pixel budget too, counting every animation frame', async () => {
  const png = await encodeStill(solid(8, 8, RED), 'png');
  await rejects422(transform(png, parseOptions('1001x1000,scaleUp'), { maxPixels: 1e6, maxOutputSide: 8192 }), 'output over maxPixels', 'output_too_large');
  const fits = await run(png, '999x999,scaleUp', { maxPixels: 1e6, maxOutputSide: 8192 });
  assert.equal(`${fits.first.width}x${fits.first.height}`, '999x999', 'an output within the pixel budget is allowed');
  const frame = (c: RGBA): Frame => ({ bitmap: solid(10, 10, c), delayMs: 100 });
  const gif = await encode({ frames: [frame(RED), frame(WHITE)], loopCount: 0, hasAlpha: false }, 'gif', 95);
  const limits = { maxPixels: 500_000, maxOutputSide: 8192 };
  // 600x600 is 360,000 pixels: one frame fits, two frames do not.
  await rejects422(transform(gif, parseOptions('600x,scaleUp'), limits), 'two 600x600 frames over 500,000 pixels', 'output_too_large');
  const still = await run(gif, '600x,scaleUp,png', limits);
  assert.equal(`${still.first.width}x${still.first.height}`, '600x600', 'converting to PNG keeps one frame, which fits');
});

test('limits: maxFrames refuses a GIF with more frames', async () => {
  const frame = (c: RGBA): Frame => ({ bitmap: solid(4, 4, c), delayMs: 50 });
  const gif = await encode({ frames: [frame(RED), frame(WHITE), frame(RED)], loopCount: 0, hasAlpha: false }, 'gif', 95);
  await rejects422(transform(gif, parseOptions('2x'), { maxPixels: 1e6, maxOutputSide: 8192, maxFrames: 2 }), '3 frames over maxFrames 2');
  const ok = await run(gif, '2x', { maxPixels: 1e6, maxOutputSide: 8192, maxFrames: 3 });
  assert.equal(ok.frames.length, 3, `frames with maxFrames 3 = ${ok.frames.length}, want 3`);
});

test('decode-time shrink: geometry planned at full size, output identical in size and close in content', async () => {
  // A smooth 400x300 card; the "decoder" hands over a half-size version, as a DCT-scaled JPEG would.
  const rows: RGBA[][] = [];
  for (let y = 0; y < 300; y++) {
    rows.push(Array.from({ length: 400 }, (_, x): RGBA => [Math.round(x * 0.6), Math.round(y * 0.8), 100, 255]));
  }
  const full = fromRows(rows);
  const half = resize(full, 200, 150);
  const decoded = (bitmap: Bitmap, shrink: number, orientation = 1): DecodedImage => ({
    format: 'jpeg', frames: [{ bitmap, delayMs: 0 }], loopCount: 0, orientation, hasAlpha: false, shrink,
  });
  const header = { width: 400, height: 300 };
  const cases: Array<[string, number, string]> = [
    ['100x', 1, '100x75'], ['100x100', 1, '100x100'], ['150x50', 1, '150x50'], ['75x', 6, '75x100'],
    ['100x100,fit,r90', 1, '75x100'],
  ];
  for (const [o, orientation, want] of cases) {
    const [a] = await renderFrames(decoded(full, 1, orientation), header, parseOptions(o), LIMITS, false);
    const [b] = await renderFrames(decoded(half, 2, orientation), header, parseOptions(o), LIMITS, false);
    assert.equal(`${a.bitmap.width}x${a.bitmap.height}`, want, `renderFrames(full, ${o}) size = ${a.bitmap.width}x${a.bitmap.height}, want ${want}`);
    assert.equal(`${b.bitmap.width}x${b.bitmap.height}`, want, `renderFrames(shrink 2, ${o}) size = ${b.bitmap.width}x${b.bitmap.height}, want ${want}`);
    let worst = 0;
    for (let i = 0; i < a.bitmap.data.length; i++) worst = Math.max(worst, Math.abs(a.bitmap.data[i] - b.bitmap.data[i]));
    assert.ok(worst <= 4, `renderFrames(shrink 2, ${o}) differs from full decode by up to ${worst}, want <= 4`);
  }
});

/** PHOTO_420 is branches.jpg (MIT, disintegration/imaging) re-encoded by cjpeg at q85 4:2:0; see fixtures/SOURCES.md. */
const PHOTO_420 = 'jpeg/photo-420.jpg';

/** channelPsnr is the PSNR of two same-sized RGBA bitmaps over R, G and B. */
function channelPsnr(a: Bitmap, b: Bitmap): number {
  let se = 0, n = 0;
  for (let i = 0; i < a.data.length; i++) {
    if ((i & 3) === 3) continue;
    const d = a.data[i] - b.data[i];
    se += d * d;
    n++;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}

test('JPEG to JPEG resizes take the YCbCr path: the very bytes of turned, resampled, re-encoded planes', async () => {
  const cases: Array<{ file: string; opts: string }> = [
    { file: PHOTO_420, opts: '300x' },
    { file: PHOTO_420, opts: '300x200' },
    { file: PHOTO_420, opts: '0.5x,q80' },
    { file: PHOTO_420, opts: 'cx10,cy20,cw400,ch300,200x' },
    { file: PHOTO_420, opts: 'fit,250x250' },
    { file: PHOTO_420, opts: 'r90,301x' },
    { file: PHOTO_420, opts: 'fh,fv,199x' },
    { file: F.orientation(6), opts: '40x' },
    { file: F.orientation(7), opts: '41x,r270' },
  ];
  for (const c of cases) {
    const bytes = fixture(c.file);
    const o = parseOptions(c.opts);
    const got = await transform(bytes, o, LIMITS);
    const n = readOrientation(bytes);
    const planes = decodeJpegToPlanes(bytes, { maxPixels: LIMITS.maxPixels })!;
    const oriented = orientedSize({ width: planes.width, height: planes.height }, n);
    const plan = planFor(oriented, o);
    const cut = cutsFor(stepsFor(plan, oriented), oriented.width, oriented.height)!;
    const after = turn(plan.rotate, plan.flipVertical, plan.flipHorizontal);
    const want = encodeJpegYcc(resamplePlanes(planes, mapCut(cut, after, oriented), then(exifOrientation(n), after))!, jpegQuality(o.quality));
    assert.ok(Buffer.from(got.bytes).equals(Buffer.from(want)), `transform(${c.file}, ${c.opts}) is not the planar path's output`);
    assert.equal(got.contentType, 'image/jpeg', `transform(${c.file}, ${c.opts}).contentType = ${got.contentType}, want image/jpeg`);
  }
});

test('JPEG output is as close to the lossless result as the RGB path\'s, for every kind of geometry', async () => {
  // PNG output always goes through the RGB path. JPEG output takes the planar path where it can
  // and the RGB path otherwise; either way it must lose about as little as the RGB path's own
  // JPEG (rendered and encoded here directly). Wrong geometry costs 8 dB or more. The PNG shares
  // the RGB path's chroma upsampling, which favours the RGB path on the tiny synthetic
  // orientation fixtures (hard colour edges): there the planar path may score up to ~3 dB lower.
  const PHOTO_SLACK_DB = 0.5;
  const SYNTHETIC_SLACK_DB = 3.5;
  const cases: Array<{ file: string; opts: string }> = [
    { file: PHOTO_420, opts: '300x' },
    { file: PHOTO_420, opts: '300x200' },
    { file: PHOTO_420, opts: 'fit,301x301' },
    { file: PHOTO_420, opts: 'x133' },
    { file: PHOTO_420, opts: 'cx10,cy20,cw400,ch300,200x' },
    { file: PHOTO_420, opts: 'cx0.25,cy0.25,cw0.5,ch0.5,150x' },
    { file: PHOTO_420, opts: 'r90,300x' },
    { file: PHOTO_420, opts: 'fh,300x' },
    { file: PHOTO_420, opts: 'fv,r270,200x150' },
    { file: PHOTO_420, opts: 'sc,200x200' },
    { file: PHOTO_420, opts: 'cx50,cy50,cw300,ch200' },
    { file: F.orientation(6), opts: '50x' },
    { file: F.orientation(3), opts: '50x40' },
    { file: F.orientation(6), opts: '40x' },
    { file: F.orientation(8), opts: '33x,fh' },
    { file: F.orientation(5), opts: '35x,r90' },
  ];
  for (const c of cases) {
    const bytes = fixture(c.file);
    const o = parseOptions(c.opts);
    const viaJpeg = await run(bytes, `${c.opts},q95`);
    const viaPng = await run(bytes, `${c.opts},png`);
    const decoded = await decode(bytes, { maxPixels: LIMITS.maxPixels });
    const header = decoded.frames[0].bitmap;
    const frames = await renderFrames(decoded, { width: header.width, height: header.height }, o, LIMITS, false);
    const rgbJpeg = (await decode(await encode({ frames, loopCount: 0, hasAlpha: false }, 'jpeg', 95), { maxPixels: 1e8 })).frames[0].bitmap;
    assert.equal(viaJpeg.format, 'jpeg', `transform(${c.file}, ${c.opts}) format = ${viaJpeg.format}, want jpeg`);
    assert.deepEqual([viaJpeg.first.width, viaJpeg.first.height], [viaPng.first.width, viaPng.first.height],
      `transform(${c.file}, ${c.opts}) size = ${viaJpeg.first.width}x${viaJpeg.first.height}, want ${viaPng.first.width}x${viaPng.first.height}`);
    const got = channelPsnr(viaJpeg.first, viaPng.first);
    const want = channelPsnr(rgbJpeg, viaPng.first);
    const SLACK_DB = c.file === PHOTO_420 ? PHOTO_SLACK_DB : SYNTHETIC_SLACK_DB;
    assert.ok(got >= want - SLACK_DB, `transform(${c.file}, ${c.opts}) PSNR against the PNG output = ${got.toFixed(2)} dB, want >= ${(want - SLACK_DB).toFixed(2)} (RGB path's JPEG: ${want.toFixed(2)})`);
  }
});

test('limits hold on the YCbCr path too', async () => {
  const bytes = fixture(PHOTO_420);
  await rejects422(transform(bytes, parseOptions('300x,scaleUp'), { maxPixels: 10_000_000, maxOutputSide: 299 }), 'maxOutputSide 299, 300x', 'output_too_large');
  await rejects422(transform(bytes, parseOptions('300x'), { maxPixels: 1000, maxOutputSide: 4096 }), 'maxPixels 1000, 300x', 'too_many_pixels');
});

test('limits: maxScans refuses a progressive JPEG with more scans, on both JPEG paths', async () => {
  // quad-progressive.jpg (fixtures/codecs/generate.sh, cjpeg -progressive) has 10 scans.
  const bytes = fixture(F.quadProgressiveJpg);
  for (const opts of ['2x', '2x,png']) {
    await rejects422(transform(bytes, parseOptions(opts), { ...LIMITS, maxScans: 3 }), `maxScans 3, ${opts}`);
    const ok = await transform(bytes, parseOptions(opts), { ...LIMITS, maxScans: 64 });
    assert.ok(ok.bytes.length > 0, `transform(maxScans 64, ${opts}) gave no bytes`);
  }
});

test('transform fills options and limits left out from emptyOptions() and DEFAULT_LIMITS', async () => {
  const src = await encodeStill(solid(64, 48, RED), 'png');
  const cases: Array<{ name: string; call: () => Promise<{ bytes: Uint8Array }>; want: string }> = [
    { name: 'transform(png, { width: 32 })', call: () => transform(src, { width: 32 }), want: '32x24' },
    { name: 'transform(png, { width: 32, format: "jpeg" }, {})', call: () => transform(src, { width: 32, format: 'jpeg' }, {}), want: '32x24' },
    { name: 'transform(png, { width: 16 }, { maxFrames: undefined })', call: () => transform(src, { width: 16 }, { maxFrames: undefined }), want: '16x12' },
    { name: 'transform(png, { width: 32 }, { maxPixels: 100 })', call: () => transform(src, { width: 32 }, { maxPixels: 100 }), want: '422 too_many_pixels' },
    { name: 'transform(png, {})', call: () => transform(src, {}), want: '64x48' },
  ];
  for (const c of cases) {
    let got: string;
    try {
      const d = await decode((await c.call()).bytes, { maxPixels: 1e6 });
      got = `${d.frames[0].bitmap.width}x${d.frames[0].bitmap.height}`;
    } catch (err) {
      got = isProxyError(err) ? `${err.status} ${err.code}` : String(err);
    }
    assert.equal(got, c.want, `${c.name} = ${got}, want ${c.want}`);
  }
});
