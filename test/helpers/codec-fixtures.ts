/**
 * Codec test fixtures: named fixture files (origin and licence per line; see fixtures/SOURCES.md),
 * a pixel accessor, and a generator for a small animated GIF with every disposal method.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import omggif from 'omggif';
import { FIXTURES } from './paths.js';
import type { Bitmap } from '../../lib/codecs/types.js';

/** fixture reads a file under fixtures/ as a Uint8Array. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

/** F names every codec fixture; each comment gives origin and licence. */
export const F = {
  orientation: (n: number): string => `imaging/orientation_${n}.jpg`, // disintegration/imaging testdata, MIT
  branchesJpg: 'imaging/branches.jpg', // disintegration/imaging testdata, MIT
  flowersPng: 'imaging/flowers_small.png', // disintegration/imaging testdata, MIT
  bppLossyWebp: 'ximage/blue-purple-pink.lossy.webp', // golang.org/x/image testdata, BSD-3-Clause
  bppLosslessWebp: 'ximage/blue-purple-pink.lossless.webp', // golang.org/x/image testdata, BSD-3-Clause
  bppPng: 'ximage/blue-purple-pink.png', // golang.org/x/image testdata, BSD-3-Clause
  bppLzwTiff: 'ximage/blue-purple-pink.lzwcompressed.tiff', // golang.org/x/image testdata, BSD-3-Clause
  tuxLosslessWebp: 'ximage/tux.lossless.webp', // golang.org/x/image testdata, BSD-3-Clause
  roseAlphaWebp: 'ximage/yellow_rose.lossy-with-alpha.webp', // golang.org/x/image testdata, BSD-3-Clause
  roseSmallBmp: 'ximage/yellow_rose-small.bmp', // golang.org/x/image testdata, BSD-3-Clause
  roseSmallPng: 'ximage/yellow_rose-small.png', // golang.org/x/image testdata, BSD-3-Clause
  roseSmallV5Bmp: 'ximage/yellow_rose-small-v5.bmp', // golang.org/x/image testdata, BSD-3-Clause
  roseSmallV5Png: 'ximage/yellow_rose-small-v5.png', // golang.org/x/image testdata, BSD-3-Clause
  bwPng: 'ximage/bw-gopher.png', // golang.org/x/image testdata, BSD-3-Clause
  bwDeflateTiff: 'ximage/bw-deflate.tiff', // golang.org/x/image testdata, BSD-3-Clause
  bwPackbitsTiff: 'ximage/bw-packbits.tiff', // golang.org/x/image testdata, BSD-3-Clause
  bwUncompressedTiff: 'ximage/bw-uncompressed.tiff', // golang.org/x/image testdata, BSD-3-Clause
  bwG3Tiff: 'ximage/bw-gopher_ccittGroup3.tiff', // golang.org/x/image testdata, BSD-3-Clause
  bwG4Tiff: 'ximage/bw-gopher_ccittGroup4.tiff', // golang.org/x/image testdata, BSD-3-Clause
  noCompressTiff: 'ximage/no_compress.tiff', // golang.org/x/image testdata, BSD-3-Clause
  videoPng: 'ximage/video-001.png', // golang.org/x/image testdata, BSD-3-Clause
  videoTiff: 'ximage/video-001.tiff', // golang.org/x/image testdata, BSD-3-Clause
  videoBmp: 'ximage/video-001.bmp', // golang.org/x/image testdata, BSD-3-Clause
  video16Tiff: 'ximage/video-001-16bit.tiff', // golang.org/x/image testdata, BSD-3-Clause
  videoGrayTiff: 'ximage/video-001-gray.tiff', // golang.org/x/image testdata, BSD-3-Clause
  videoGray16Tiff: 'ximage/video-001-gray-16bit.tiff', // golang.org/x/image testdata, BSD-3-Clause
  videoPalettedTiff: 'ximage/video-001-paletted.tiff', // golang.org/x/image testdata, BSD-3-Clause
  videoTiledTiff: 'ximage/video-001-tile-64x64.tiff', // golang.org/x/image testdata, BSD-3-Clause
  colormapBmp: 'ximage/colormap.bmp', // golang.org/x/image testdata, BSD-3-Clause
  colormapPng: 'ximage/colormap.png', // golang.org/x/image testdata, BSD-3-Clause
  quadProgressiveJpg: 'codecs/quad-progressive.jpg', // fixtures/codecs/generate.sh (cjpeg), Apache-2.0
  quadGrayJpg: 'codecs/quad-gray.jpg', // fixtures/codecs/generate.sh (cjpeg), Apache-2.0
  quadCmykJpg: 'codecs/quad-cmyk.jpg', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quadPalettePng: 'codecs/quad-palette.png', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quadPaletteTrnsPng: 'codecs/quad-palette-trns.png', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quadGrayPng: 'codecs/quad-gray.png', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quadGray1Png: 'codecs/quad-gray1.png', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quadGrayAlphaPng: 'codecs/quad-graya.png', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quadRgba16Png: 'codecs/quad-rgba16.png', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quadInterlacedPng: 'codecs/quad-interlaced.png', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quad1Bmp: 'codecs/quad-1bit.bmp', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quad4Bmp: 'codecs/quad-4bit.bmp', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  ramp8Bmp: 'codecs/ramp-8bit.bmp', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quad16Bmp: 'codecs/quad-16bit.bmp', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  quad32AlphaBmp: 'codecs/quad-32bit-alpha.bmp', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  animImGif: 'codecs/anim-im.gif', // fixtures/codecs/generate.sh (ImageMagick), Apache-2.0
  flowersInterlacedGif: 'codecs/flowers-interlaced.gif', // fixtures/codecs/generate.sh (ImageMagick) from flowers_small.png (MIT)
} as const;

/** px returns the RGBA of pixel (x, y) as a comma-separated string, for readable assertions. */
export function px(bm: Bitmap, x: number, y: number): string {
  const o = (y * bm.width + x) * 4;
  return [...bm.data.subarray(o, o + 4)].join(',');
}

/** maxDiff is the largest per-channel difference between two same-sized bitmaps. */
export function maxDiff(a: Bitmap, b: Bitmap): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/**
 * makeAnimatedGif writes a 6x4, 3-frame GIF with omggif, looping 3 times:
 * frame 0: full red, 100 ms, disposal 2 (restore to background, so it is cleared afterwards);
 * frame 1: 2x2 at (2,1), local palette green + transparent top-left pixel, 200 ms, disposal 3
 *   (restore previous, so it is gone before frame 2);
 * frame 2: 2x2 at (0,0) blue with a transparent bottom-right pixel, 300 ms, disposal 1.
 */
export function makeAnimatedGif(): Uint8Array {
  const buf = new Uint8Array(4096);
  const w = new omggif.GifWriter(buf, 6, 4, { palette: [0x000000, 0xff0000, 0x00ff00, 0x0000ff], loop: 3 });
  w.addFrame(0, 0, 6, 4, new Array<number>(24).fill(1), { delay: 10, disposal: 2 });
  w.addFrame(2, 1, 2, 2, [1, 0, 0, 0], { delay: 20, disposal: 3, palette: [0x00ff00, 0x000000], transparent: 1 });
  w.addFrame(0, 0, 2, 2, [3, 3, 3, 0], { delay: 30, disposal: 1, transparent: 0 });
  return buf.slice(0, w.end());
}
