/**
 * willnorris/imageproxy transform_test.go, ported: TestResizeParams, TestCropParams,
 * TestTransform, TestTranform_ImageTooLarge, TestTransform_InvalidFormat, TestTransform_EXIF,
 * TestTransform_EXIF_Rotate, TestTransformImage and TestTrimEdges.
 *
 * Go's resizeParams and cropParams are our resizeTarget and cropRect (undefined meaning "no
 * resize" / "the whole image"); Go's smart-crop branch of cropParams is findSmartCrop. Go's
 * transformImage runs here as transform() with PNG in and out. Inputs Go encodes with its own
 * encoders (and the EXIF TIFFs it stores as base64) are made here with ours; TestTransform's
 * "exact output" then means our re-encoding reproduces our encoding.
 *
 * TestTransformImage sets Go's resampling filter to Box so that downscales come out as exact
 * block averages; the proxy resamples with Lanczos3 (imaging's default), which rings at the
 * hard colour edges of these tiny images. The four cases whose pixels depend on the filter are
 * marked `filtered`: for them the size must match exactly and every pixel must be nearest to
 * the colour Go expects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import UTIF from 'utif2';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import { cropRect, resizeTarget, type Rect, type Size } from '../../../lib/transform/geometry.js';
import { findSmartCrop } from '../../../lib/transform/smartcrop.js';
import { findTrim, orient } from '../../../lib/transform/ops.js';
import { transform } from '../../../lib/transform/transform.js';
import { decode, encode, type EncodableFormat } from '../../../lib/codecs/index.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { defaultConfig } from '../../../lib/config.js';
import { fixture } from '../../helpers/codec-fixtures.js';

type Color = [number, number, number, number];
const red: Color = [255, 0, 0, 255];
const green: Color = [0, 255, 0, 255];
const blue: Color = [0, 0, 255, 255];
const yellow: Color = [255, 255, 0, 255];
const NAMES = new Map([[red.join(), 'red'], [green.join(), 'green'], [blue.join(), 'blue'], [yellow.join(), 'yellow']]);

const LIMITS = defaultConfig().limits;
const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });

/** newImage is Go's helper: a w x h image of the given pixels, or all one colour when given one. */
function newImage(w: number, h: number, ...pixels: Color[]): Bitmap {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set(pixels.length === 1 ? pixels[0] : pixels[i], i * 4);
  return { width: w, height: h, data };
}

const show = (b: Bitmap): string => {
  const px = [];
  for (let i = 0; i < b.width * b.height; i++) {
    const c = [...b.data.subarray(i * 4, i * 4 + 4)].join();
    px.push(NAMES.get(c) ?? `(${c})`);
  }
  return `${b.width}x${b.height} [${px.join(' ')}]`;
};

const encodeAs = (b: Bitmap, format: EncodableFormat): Promise<Uint8Array> => encode({ frames: [{ bitmap: b, delayMs: 0 }], loopCount: 0, hasAlpha: false }, format, 95);
const decodeFirst = async (bytes: Uint8Array): Promise<Bitmap> => (await decode(bytes, { maxPixels: LIMITS.maxPixels })).frames[0].bitmap;

test('TestResizeParams', () => {
  const src: Size = { width: 64, height: 128 };
  const tests: Array<{ opt: Partial<Options>; w: number; h: number; resize: boolean }> = [
    { opt: { width: 0.5 }, w: 32, h: 0, resize: true },
    { opt: { height: 0.5 }, w: 0, h: 64, resize: true },
    { opt: { width: 0.5, height: 0.5 }, w: 32, h: 64, resize: true },
    { opt: { width: 100, height: 200 }, w: 0, h: 0, resize: false },
    { opt: { width: 100, height: 200, scaleUp: true }, w: 100, h: 200, resize: true },
    { opt: { width: 64 }, w: 0, h: 0, resize: false },
    { opt: { height: 128 }, w: 0, h: 0, resize: false },
  ];
  for (const tt of tests) {
    const t = resizeTarget(src, opts(tt.opt));
    const got = [t?.width ?? 0, t?.height ?? 0, t !== undefined];
    assert.deepEqual(got, [tt.w, tt.h, tt.resize], `resizeParams(${JSON.stringify(tt.opt)}) returned (${got}), want (${tt.w},${tt.h},${tt.resize})`);
  }
});

test('TestCropParams', async () => {
  const src: Size = { width: 64, height: 128 };
  const blank = newImage(64, 128, [0, 0, 0, 0]);
  const tests: Array<{ opt: Partial<Options>; x0: number; y0: number; x1: number; y1: number }> = [
    { opt: { cropWidth: 10, cropHeight: 0 }, x0: 0, y0: 0, x1: 10, y1: 128 },
    { opt: { cropWidth: 0, cropHeight: 10 }, x0: 0, y0: 0, x1: 64, y1: 10 },
    { opt: { cropWidth: -1, cropHeight: -1 }, x0: 0, y0: 0, x1: 64, y1: 128 },
    { opt: { cropWidth: 50, cropHeight: 100 }, x0: 0, y0: 0, x1: 50, y1: 100 },
    { opt: { cropWidth: 100, cropHeight: 100 }, x0: 0, y0: 0, x1: 64, y1: 100 },
    { opt: { cropX: 50, cropY: 100 }, x0: 50, y0: 100, x1: 64, y1: 128 },
    { opt: { cropX: 50, cropY: 100, cropWidth: 100, cropHeight: 150 }, x0: 50, y0: 100, x1: 64, y1: 128 },
    { opt: { cropX: -50, cropY: -50 }, x0: 14, y0: 78, x1: 64, y1: 128 },
    { opt: { cropY: 0.5, cropWidth: 0.5 }, x0: 0, y0: 64, x1: 32, y1: 128 },
    { opt: { width: 10, height: 10, smartCrop: true }, x0: 0, y0: 0, x1: 64, y1: 64 },
  ];
  for (const tt of tests) {
    const o = opts(tt.opt);
    const r: Rect = (o.smartCrop ? await findSmartCrop(blank, o.width, o.height) : cropRect(src, o)) ?? { x0: 0, y0: 0, x1: 64, y1: 128 };
    const want: Rect = { x0: tt.x0, y0: tt.y0, x1: tt.x1, y1: tt.y1 };
    assert.deepEqual(r, want, `cropParams(${JSON.stringify(tt.opt)}) returned ${JSON.stringify(r)}, want ${JSON.stringify(want)}`);
  }
});

test('TestTransform', async () => {
  const src = newImage(2, 2, red, green, blue, yellow);
  const tests: Array<{ name: string; format: EncodableFormat; exactOutput: boolean }> = [
    { name: 'bmp', format: 'bmp', exactOutput: true },
    { name: 'gif', format: 'gif', exactOutput: true },
    { name: 'jpeg', format: 'jpeg', exactOutput: false },
    { name: 'png', format: 'png', exactOutput: true },
  ];
  for (const tt of tests) {
    const input = await encodeAs(src, tt.format);
    let out = (await transform(input, emptyOptions(), LIMITS)).bytes;
    assert.ok(Buffer.from(out).equals(Buffer.from(input)), `Transform with encoder ${tt.name} with empty options returned modified result`);
    out = (await transform(input, opts({ width: -1, height: -1 }), LIMITS)).bytes;
    assert.ok(out.length > 0, `Transform with encoder ${tt.name} returned empty bytes`);
    if (tt.exactOutput) assert.ok(Buffer.from(out).equals(Buffer.from(input)), `Transform with encoder ${tt.name} with noop Options returned modified result`);
  }
  await assert.rejects(transform(new Uint8Array(0), opts({ width: 1 }), LIMITS), 'Transform with invalid image input did not return expected err');
});

test('TestTranform_ImageTooLarge', async () => {
  // Go's lottapixel.jpg (hackerone 390) is a tiny file claiming 64250x64250 pixels; the same
  // claim written into a small JPEG's frame header here.
  const lottaPixel = fixture('jpeg/tiny-8x8.jpg').slice();
  const sof = lottaPixel.findIndex((b, i) => b === 0xff && lottaPixel[i + 1] === 0xc0);
  lottaPixel.set([0xfa, 0xfa, 0xfa, 0xfa], sof + 5);
  await assert.rejects(transform(lottaPixel, opts({ width: 1 }), LIMITS), (e: unknown) => (e as { status?: number }).status === 422,
    'Transform with large image did not return expected error');
});

test('TestTransform_InvalidFormat', async () => {
  const png = await encodeAs(newImage(2, 2, red, green, blue, yellow), 'png');
  await assert.rejects(transform(png, opts({ format: 'invalid' as Options['format'] }), LIMITS), 'Transform with invalid format did not return expected error');
});

/** INVERSE is the EXIF orientation that undoes orientation n (6 and 8 undo each other; the rest undo themselves). */
const INVERSE = [0, 1, 2, 3, 4, 5, 8, 7, 6];

/** exifTiff writes b as a TIFF whose pixels are stored under EXIF orientation n (so it displays as b). */
function exifTiff(b: Bitmap, n: number): Uint8Array {
  const stored = orient(b, INVERSE[n]);
  // utif2's typings ask for a whole IFD; encodeImage only reads the tags it is given.
  const tags = { t274: [n], t338: [2] } as unknown as Parameters<typeof UTIF.encodeImage>[3];
  return new Uint8Array(UTIF.encodeImage(stored.data, stored.width, stored.height, tags));
}

test('TestTransform_EXIF', async () => {
  const ref = newImage(2, 2, red, green, blue, yellow);
  for (let n = 1; n <= 8; n++) {
    const src = exifTiff(ref, n);
    const out = await transform(src, opts({ height: -1, width: -1, format: 'tiff' }), LIMITS);
    const got = await decodeFirst(out.bytes);
    assert.equal(show(got), show(ref), `Transform(orientation ${n}) returned image ${show(got)}, want ${show(ref)}`);
  }
});

test('TestTransform_EXIF_Rotate', async () => {
  // A 2x2 image with EXIF orientation=7 that displays as (red green blue yellow).
  const src = exifTiff(newImage(2, 2, red, green, blue, yellow), 7);
  const out = await transform(src, opts({ rotate: 90, format: 'tiff' }), LIMITS);
  const got = await decodeFirst(out.bytes);
  const want = newImage(2, 2, green, yellow, red, blue);
  assert.equal(show(got), show(want), `Transform(orientation 7, r90) returned image ${show(got)}, want ${show(want)}`);
});

/** nearestNames names every pixel by the closest of the four reference colours. */
function nearestNames(b: Bitmap): string {
  const refs: [string, Color][] = [['red', red], ['green', green], ['blue', blue], ['yellow', yellow]];
  const px = [];
  for (let i = 0; i < b.width * b.height; i++) {
    const c = b.data.subarray(i * 4, i * 4 + 3);
    let best = '', dist = Infinity;
    for (const [name, r] of refs) {
      const d = (c[0] - r[0]) ** 2 + (c[1] - r[1]) ** 2 + (c[2] - r[2]) ** 2;
      if (d < dist) [best, dist] = [name, d];
    }
    px.push(best);
  }
  return `${b.width}x${b.height} [${px.join(' ')}]`;
}

test('TestTransformImage', async () => {
  // ref is a 2x2 reference image containing four colors
  const ref = newImage(2, 2, red, green, blue, yellow);
  // cropRef is a 4x4 image with four colors, each in 2x2 quarter
  const cropRef = newImage(4, 4, red, red, green, green, red, red, green, green, blue, blue, yellow, yellow, blue, blue, yellow, yellow);
  const r4x2 = (): Bitmap => newImage(4, 2, red, red, blue, blue, red, red, blue, blue);

  const tests: Array<{ src: Bitmap; opt: Partial<Options>; want: Bitmap; filtered?: boolean }> = [
    // no transformation
    { src: ref, opt: {}, want: ref },

    // rotations
    { src: ref, opt: { rotate: 45 }, want: ref }, // invalid rotation is a noop
    { src: ref, opt: { rotate: 360 }, want: ref },
    { src: ref, opt: { rotate: 90 }, want: newImage(2, 2, green, yellow, red, blue) },
    { src: ref, opt: { rotate: 180 }, want: newImage(2, 2, yellow, blue, green, red) },
    { src: ref, opt: { rotate: 270 }, want: newImage(2, 2, blue, red, yellow, green) },
    { src: ref, opt: { rotate: 630 }, want: newImage(2, 2, blue, red, yellow, green) },
    { src: ref, opt: { rotate: -90 }, want: newImage(2, 2, blue, red, yellow, green) },

    // flips
    { src: ref, opt: { flipHorizontal: true }, want: newImage(2, 2, green, red, yellow, blue) },
    { src: ref, opt: { flipVertical: true }, want: newImage(2, 2, blue, yellow, red, green) },
    { src: ref, opt: { flipHorizontal: true, flipVertical: true }, want: newImage(2, 2, yellow, blue, green, red) },
    { src: ref, opt: { rotate: 90, flipHorizontal: true }, want: newImage(2, 2, yellow, green, blue, red) },

    // resizing
    { src: ref, opt: { width: 100, height: 100 }, want: ref }, // can't resize larger than original image
    { // can resize larger than original image
      src: ref, opt: { width: 4, height: 4, scaleUp: true }, filtered: true,
      want: newImage(4, 4, red, red, green, green, red, red, green, green, blue, blue, yellow, yellow, blue, blue, yellow, yellow),
    },
    { src: ref, opt: { width: -1, height: -1 }, want: ref }, // invalid values
    { src: newImage(100, 100, red), opt: { width: 1, height: 1 }, want: newImage(1, 1, red) }, // absolute values
    { src: newImage(100, 100, red), opt: { width: 0.50, height: 0.25 }, want: newImage(50, 25, red) }, // percentage values
    { src: newImage(100, 50, red), opt: { width: 50 }, want: newImage(50, 25, red) }, // only width specified, proportional height
    { src: newImage(100, 50, red), opt: { height: 25 }, want: newImage(50, 25, red) }, // only height specified, proportional width
    { src: r4x2(), opt: { width: 4, height: 1 }, want: newImage(4, 1, red, red, blue, blue) }, // resize in one dimension, with cropping
    { src: r4x2(), opt: { width: 2, height: 2 }, want: newImage(2, 2, red, blue, red, blue) }, // resize in two dimensions, with cropping
    { src: r4x2(), opt: { width: 2, height: 2, fit: true }, want: newImage(2, 1, red, blue), filtered: true }, // fit option prevents cropping
    { src: r4x2(), opt: { width: 2, height: 1 }, want: newImage(2, 1, red, blue), filtered: true }, // scale image explicitly

    // combinations of options
    { src: r4x2(), opt: { width: 2, height: 1, fit: true, flipHorizontal: true, rotate: 90 }, want: newImage(1, 2, blue, red), filtered: true },

    // crop
    { src: cropRef, opt: { cropHeight: 2, cropWidth: 2 }, want: newImage(2, 2, red, red, red, red) }, // quarter ((0, 0), (2, 2)) -> red
    { src: cropRef, opt: { cropHeight: 2, cropWidth: 2, cropX: 2 }, want: newImage(2, 2, green, green, green, green) }, // quarter ((2, 0), (4, 2)) -> green
    { src: cropRef, opt: { cropHeight: 2, cropWidth: 2, cropX: 0, cropY: 2 }, want: newImage(2, 2, blue, blue, blue, blue) }, // quarter ((0, 2), (2, 4)) -> blue
    { src: cropRef, opt: { cropHeight: 2, cropWidth: 2, cropX: 2, cropY: 2 }, want: newImage(2, 2, yellow, yellow, yellow, yellow) }, // quarter ((2, 2), (4, 4)) -> yellow

    // percentage-based resize in addition to rectangular crop
    { src: newImage(12, 12, red), opt: { width: 0.5, height: 0.5, cropWidth: 8, cropHeight: 8 }, want: newImage(6, 6, red) },
  ];
  for (const tt of tests) {
    const input = await encodeAs(tt.src, 'png');
    const out = await transform(input, opts({ ...tt.opt, format: 'png' }), LIMITS);
    const got = await decodeFirst(out.bytes);
    if (tt.filtered) {
      assert.equal(nearestNames(got), show(tt.want), `transformImage(${show(tt.src)}, ${JSON.stringify(tt.opt)}) returned image ${nearestNames(got)} (nearest colours), want ${show(tt.want)}`);
    } else {
      assert.equal(show(got), show(tt.want), `transformImage(${show(tt.src)}, ${JSON.stringify(tt.opt)}) returned image ${show(got)}, want ${show(tt.want)}`);
    }
  }
});

test('TestTrimEdges', () => {
  const x: Color = [255, 255, 255, 255];
  const o: Color = [0, 0, 0, 255];
  const tests: Array<{ name: string; src: Bitmap; want: Bitmap }> = [
    { name: 'empty', src: newImage(0, 0), want: newImage(0, 0) }, // same as src
    { name: 'solid', src: newImage(8, 8, x), want: newImage(8, 8, x) }, // same as src
    {
      name: 'square',
      src: newImage(4, 4, x, x, x, x, x, o, o, x, x, o, o, x, x, x, x, x),
      want: newImage(2, 2, o, o, o, o),
    },
    {
      name: 'diamond',
      src: newImage(5, 5, x, x, x, x, x, x, x, o, x, x, x, o, o, o, x, x, x, o, x, x, x, x, x, x, x),
      want: newImage(3, 3, x, o, x, o, o, o, x, o, x),
    },
    {
      name: 'irregular',
      src: newImage(5, 5, x, o, x, x, x, x, o, o, x, x, x, o, o, x, x, x, x, x, x, x, x, x, x, x, x),
      want: newImage(2, 3, o, x, o, o, o, o),
    },
  ];
  for (const tt of tests) {
    const r = findTrim(tt.src);
    // Like Go's trimEdges, no rectangle (an empty or one-colour image) leaves the image as it is.
    const got = r ? cropOf(tt.src, r) : tt.src;
    assert.equal(show(got), show(tt.want), `${tt.name}: trimEdges() returned image ${show(got)}, want ${show(tt.want)}`);
  }
});

function cropOf(b: Bitmap, r: Rect): Bitmap {
  const w = r.x1 - r.x0, h = r.y1 - r.y0;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) data.set(b.data.subarray(((r.y0 + y) * b.width + r.x0) * 4, ((r.y0 + y) * b.width + r.x1) * 4), y * w * 4);
  return { width: w, height: h, data };
}
