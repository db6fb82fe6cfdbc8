/**
 * Every image of the public test corpora in fixtures/ (PngSuite, libpng's crashers, Go's PNG
 * testdata, libtiff's, libjpeg-turbo's, libwebp's and giflib's test images) through decode() and
 * through the proxy with a transform: each file is decoded or refused exactly as listed, and the
 * proxy answers 200 or 422, never a 5xx.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decode } from '../../lib/codecs/index.js';
import { imageproxy } from '../../lib/handler.js';
import { FIXTURES } from '../helpers/paths.js';
import { startOrigin, type Origin } from '../helpers/origin.js';
import { serveHandler, type Served } from '../helpers/serve.js';
import { inlineTransformer, quietLogger } from '../helpers/proxy.js';

const CORPORA = ['pngsuite', 'libpng', 'gopng', 'libtiff', 'libjpeg-turbo', 'libwebp', 'giflib'];

/** REFUSED are the corpus files that must be a 422 (the rest must decode), and why. */
const REFUSED: Record<string, RegExp> = {
  'libpng/bad_iCCP.png': /IHDR chunk fails its CRC check/,
  'libpng/badadler.png': /image data is not valid/,
  'libpng/badcrc.png': /IDAT chunk fails its CRC check/,
  'libpng/huge_IDAT.png': /ends inside a chunk/,
  'libpng/huge_tEXt_chunk.png': /ends inside a chunk/,
  'gopng/invalid-crc32.png': /IHDR chunk fails its CRC check/,
  'gopng/invalid-noend.png': /ends before its IEND chunk/,
  'gopng/invalid-trunc.png': /ends before its IEND chunk/,
  'gopng/invalid-zlib.png': /image data is not valid/,
  'libtiff/logluv-3c-16b.tiff': /LogLuv/,
  'libtiff/ojpeg_single_strip_no_rowsperstrip.tiff': /Old-style JPEG-in-TIFF/,
  'libtiff/quad-tile.jpg.tiff': /JPEG-compressed TIFF/,
  'libtiff/test_float64_predictor2_le_lzw.tif': /floating-point samples/,
  'libjpeg-turbo/testorig12.jpg': /12-bit samples/,
};

const files = CORPORA.flatMap((dir) => readdirSync(path.join(FIXTURES, dir))
  .filter((f) => /\.(png|jpe?g|gif|tiff?|bmp|webp)$/i.test(f)).map((f) => `${dir}/${f}`));

test('every corpus image is decoded, or refused with a 422 for the listed reason', async () => {
  assert.ok(files.length >= 75, `found ${files.length} corpus images, want 75 or more`);
  for (const f of files) {
    const bytes = readFileSync(path.join(FIXTURES, f));
    let refused: Error | undefined;
    try {
      const d = await decode(bytes, { maxPixels: 50_000_000 });
      assert.ok(d.frames.length > 0 && d.frames[0].bitmap.data.length === d.frames[0].bitmap.width * d.frames[0].bitmap.height * 4, `decode(${f}) gave no pixels`);
    } catch (err) {
      assert.equal((err as { status?: number }).status, 422, `decode(${f}) threw ${String(err)}, want pixels or a 422`);
      refused = err as Error;
    }
    const want = REFUSED[f];
    if (want) assert.match(refused?.message ?? 'decoded', want, `decode(${f}) = ${refused?.message ?? 'pixels'}, want a 422 matching ${want}`);
    else assert.equal(refused, undefined, `decode(${f}) refused: ${refused?.message}`);
  }
});

let origin: Origin;
let proxy: Served;
before(async () => {
  origin = await startOrigin();
  for (const f of files) origin.set(`/${f}`, { headers: { 'Content-Type': 'application/octet-stream' }, body: readFileSync(path.join(FIXTURES, f)) });
  proxy = await serveHandler(imageproxy({ allowPrivateNetworks: true, transformer: inlineTransformer, logger: quietLogger }));
});
after(async () => {
  await proxy.close();
  await origin.close();
});

test('the proxy answers every corpus image with 200 or 422, never a 5xx', async () => {
  for (const f of files) {
    for (const options of ['', '16x,png']) {
      const r = await fetch(`${proxy.url}/${options}/${origin.url}/${f}`);
      await r.arrayBuffer();
      const want = options !== '' && REFUSED[f] ? 422 : 200;
      assert.equal(r.status, want, `GET /${options}/.../${f} = ${r.status}, want ${want}`);
    }
  }
});
