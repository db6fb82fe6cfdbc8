import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { decode as fastPngDecode, encode as fastPngEncode } from 'fast-png';
import { decodePng, decodePngGeneral, pngHeader } from '../../../lib/codecs/png.js';
import { decodePngFast } from '../../../lib/codecs/pngfast.js';
import { encodePngFast } from '../../../lib/codecs/pngfast-encode.js';
import { crc32 } from '../../../lib/cache/framing.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';
import { FIXTURES } from '../../helpers/paths.js';
import { seededUint32 } from '../../helpers/prng.js';

/** seededBytes returns a seeded generator of bytes, so failures reproduce. */
const seededBytes = (seed: number): (() => number) => {
  const next = seededUint32(seed);
  return () => next() >>> 24;
};

/**
 * EXTRA_PNG_DIRS are sample-image directories of Debian packages; when installed they add their PNGs
 * to the equivalence check: golang-golang-x-image-dev (BSD-3-Clause), golang-github-disintegration-
 * imaging-dev (MIT) and Go's own image/png testdata with PngSuite (BSD-3-Clause; PngSuite is
 * freeware by Willem van Schaik). fixtures/ alone always runs.
 */
const EXTRA_PNG_DIRS = [
  '/usr/share/gocode/src/golang.org/x/image/testdata',
  '/usr/share/gocode/src/github.com/disintegration/imaging/testdata',
  '/usr/lib/go/src/image/png/testdata',
];

function pngFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? pngFiles(p) : p.endsWith('.png') ? [p] : [];
  });
}

type Outcome = { ok: true; bitmap: Bitmap; hasAlpha: boolean } | { ok: false; status: number | undefined; message: string };

function outcome(f: () => { bitmap: Bitmap; hasAlpha: boolean }): Outcome {
  try {
    return { ok: true, ...f() };
  } catch (err) {
    return { ok: false, status: (err as { status?: number }).status, message: (err as Error).message };
  }
}

/** describe summarises an outcome for failure messages. */
function describe(o: Outcome): string {
  return o.ok ? `${o.bitmap.width}x${o.bitmap.height} crc ${crc32(o.bitmap.data).toString(16)} alpha ${o.hasAlpha}` : `error ${o.status} ${o.message}`;
}

/** sameOutcome: both decoded to identical pixels and alpha flag, or both failed with a 422. */
function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.ok && b.ok) return a.hasAlpha === b.hasAlpha && a.bitmap.width === b.bitmap.width && Buffer.compare(Buffer.from(a.bitmap.data), Buffer.from(b.bitmap.data)) === 0;
  return !a.ok && !b.ok && a.status === 422 && b.status === 422;
}

/** fastPath runs only the fast decoder (null means it declined the file). */
function fastPath(bytes: Uint8Array): { bitmap: Bitmap; hasAlpha: boolean } | null {
  const h = pngHeader(bytes);
  const ch = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[h.colorType];
  const expected = h.height * (1 + Math.ceil((h.width * ch * h.depth) / 8));
  return decodePngFast(bytes, h, expected, expected + 1024);
}

/**
 * ONLY_WE_DECODE are valid files fast-png refuses (low-depth Adam7 images: "Unsupported filter";
 * empty ancillary chunks: "Length mismatch"); png-corpus.test.ts checks their pixels against
 * their goldens. ONLY_WE_REFUSE are corrupt files fast-png accepts: a bad CRC on a critical
 * chunk, or no IEND (Go and libpng refuse both).
 */
const ONLY_WE_DECODE = /^(ibasn[03][gp]0[124]|iftbbn0g0[124]|basn3p04-31i|empty_ancillary_chunks)\.png$/;
const ONLY_WE_REFUSE = new Set(['invalid-crc32.png', 'invalid-trunc.png', 'badcrc.png']);

test('decodePng gives fast-png\'s pixels for every valid fixture PNG, and refuses the corrupt ones', () => {
  const files = [...pngFiles(FIXTURES), ...EXTRA_PNG_DIRS.filter((d) => existsSync(d)).flatMap(pngFiles)];
  assert.ok(files.length >= 14, `found ${files.length} PNG fixtures, want at least 14`);
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    const got = outcome(() => decodePng(bytes)), want = outcome(() => decodePngGeneral(bytes));
    const name = path.basename(file);
    if (ONLY_WE_DECODE.test(name)) {
      assert.ok(got.ok && !want.ok, `decodePng(${file}) = ${describe(got)} and fast-png = ${describe(want)}, want only ours to decode`);
    } else if (ONLY_WE_REFUSE.has(name)) {
      assert.ok(!got.ok && got.status === 422 && want.ok, `decodePng(${file}) = ${describe(got)} and fast-png = ${describe(want)}, want only ours to refuse`);
    } else {
      assert.ok(sameOutcome(got, want), `decodePng(${file}) = ${describe(got)}, want ${describe(want)}`);
    }
  }
});

/** chunk returns one PNG chunk with its CRC. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(12 + data.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, data.length);
  b.set(Buffer.from(type, 'latin1'), 4);
  b.set(data, 8);
  dv.setUint32(8 + data.length, crc32(b.subarray(4, 8 + data.length)));
  return b;
}

const SIG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(w: number, h: number, depth: number, colorType: number, filterMethod = 0): Uint8Array {
  const d = new Uint8Array(13);
  const dv = new DataView(d.buffer);
  dv.setUint32(0, w); dv.setUint32(4, h);
  d[8] = depth; d[9] = colorType; d[11] = filterMethod;
  return chunk('IHDR', d);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

interface Synthetic { w: number; h: number; colorType: number; depth: number; trns: boolean; paletteSize?: number }

/**
 * synthetic builds a PNG of random scanlines (row y uses filter y % 5, row 0 filter None so that
 * its first pixel is known) with a palette when needed and, if asked, a tRNS chunk whose grey or
 * RGB key is that first pixel, so that the key really occurs.
 */
function synthetic(c: Synthetic, seed: number): Uint8Array {
  const rnd = seededBytes(seed);
  const ch = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[c.colorType];
  const stride = Math.ceil((c.w * ch * c.depth) / 8);
  const raw = new Uint8Array((stride + 1) * c.h);
  for (let y = 0; y < c.h; y++) {
    raw[y * (stride + 1)] = y % 5;
    for (let i = 1; i <= stride; i++) raw[y * (stride + 1) + i] = rnd();
  }
  const parts = [SIG, ihdr(c.w, c.h, c.depth, c.colorType)];
  if (c.colorType === 3) {
    const n = c.paletteSize ?? 1 << c.depth;
    parts.push(chunk('PLTE', Uint8Array.from({ length: n * 3 }, rnd)));
    if (c.trns) parts.push(chunk('tRNS', Uint8Array.from({ length: Math.max(1, n - 1) }, rnd)));
  } else if (c.trns) {
    const key = new Uint8Array(c.colorType === 2 ? 6 : 2);
    const first = raw.subarray(1, 1 + Math.ceil((ch * c.depth) / 8));
    if (c.depth === 16) key.set(first);
    else if (c.depth === 8) for (let k = 0; k < ch; k++) key[k * 2 + 1] = first[k];
    else key[1] = first[0] >> (8 - c.depth);
    parts.push(chunk('tRNS', key));
  }
  const z = deflateSync(raw);
  parts.push(chunk('IDAT', z.subarray(0, z.length >> 1)), chunk('IDAT', z.subarray(z.length >> 1)), chunk('IEND', new Uint8Array()));
  return concat(parts);
}

test('the fast path decodes every colour type, depth, filter and tRNS exactly as fast-png does', () => {
  const layouts: Array<{ colorType: number; depths: number[] }> = [{ colorType: 0, depths: [1, 2, 4, 8, 16] }, { colorType: 2, depths: [8, 16] }, { colorType: 3, depths: [1, 2, 4, 8] }, { colorType: 4, depths: [8, 16] }, { colorType: 6, depths: [8, 16] }];
  const sizes: Array<{ w: number; h: number }> = [{ w: 1, h: 1 }, { w: 3, h: 2 }, { w: 17, h: 9 }, { w: 64, h: 6 }];
  let n = 0;
  for (const { colorType, depths } of layouts) {
    for (const depth of depths) {
      for (const { w, h } of sizes) {
        for (const trns of colorType === 4 || colorType === 6 ? [false] : [false, true]) {
          const c: Synthetic = { w, h, colorType, depth, trns, paletteSize: colorType === 3 ? Math.max(1, (1 << depth) - 3) : undefined };
          const bytes = synthetic(c, ++n);
          const name = `synthetic(${JSON.stringify(c)})`;
          const fast = fastPath(bytes);
          assert.ok(fast, `decodePngFast(${name}) = null, want the fast path to take it`);
          const got: Outcome = { ok: true, ...fast }, want = outcome(() => decodePngGeneral(bytes));
          // fast-png refuses an RGB tRNS key (3 values) on images of fewer than 3 pixels; see below.
          const fastPngQuirk = colorType === 2 && trns && w * h < 3;
          assert.ok(fastPngQuirk ? !want.ok : sameOutcome(got, want), `decodePngFast(${name}) = ${describe(got)}, want ${describe(want)}`);
          if (trns && colorType !== 3) assert.equal(fast.hasAlpha, true, `decodePngFast(${name}).hasAlpha = false, want true (the tRNS key occurs)`);
        }
      }
    }
  }
});

test('a 1x1 RGB PNG with a tRNS key decodes (fast-png alone refused it)', () => {
  const bytes = concat([SIG, ihdr(1, 1, 8, 2), chunk('tRNS', new Uint8Array([0, 10, 0, 20, 0, 30])),
    chunk('IDAT', deflateSync(new Uint8Array([0, 10, 20, 30]))), chunk('IEND', new Uint8Array())]);
  const got = outcome(() => decodePng(bytes));
  assert.equal(describe(got), describe({ ok: true, bitmap: { width: 1, height: 1, data: new Uint8Array([10, 20, 30, 0]) }, hasAlpha: true }),
    'decodePng(1x1 RGB with tRNS) differs');
});

/** Want is what a hand-made PNG must give: fast-png's pixels, these RGBA bytes, or a 422 whose message matches. */
type Want = 'fast-png' | number[] | RegExp;

/** checkWant asserts that decodePng(bytes) gives want. */
function checkWant(name: string, bytes: Uint8Array, want: Want): void {
  const got = outcome(() => decodePng(bytes));
  if (want instanceof RegExp) {
    assert.ok(!got.ok && got.status === 422 && want.test(got.message), `decodePng(${name}) = ${describe(got)}, want a 422 matching ${want}`);
    return;
  }
  if (want === 'fast-png') {
    const ref = outcome(() => decodePngGeneral(bytes));
    assert.ok(ref.ok, `fast-png refused ${name}: ${describe(ref)}`);
    assert.ok(sameOutcome(got, ref), `decodePng(${name}) = ${describe(got)}, want ${describe(ref)}`);
    return;
  }
  assert.ok(got.ok, `decodePng(${name}) = ${describe(got)}, want pixels ${want}`);
  assert.deepEqual([...got.bitmap.data], want, `decodePng(${name}) pixels = ${[...got.bitmap.data]}, want ${want}`);
}

test('the fast path decodes Adam7 and refuses truncated image data, as Go and libpng do', () => {
  const idat = chunk('IDAT', deflateSync(new Uint8Array([0, 1, 2, 3, 0, 4, 5, 6])));
  const iend = chunk('IEND', new Uint8Array());
  const plte = chunk('PLTE', new Uint8Array([255, 0, 0, 0, 255, 0]));
  const cases: Array<{ name: string; bytes: Uint8Array; want: Want }> = [
    { name: 'Adam7 fixture', bytes: fixture(F.quadInterlacedPng), want: 'fast-png' },
    { name: 'tRNS before PLTE: ignored, as libpng ignores it', bytes: concat([SIG, ihdr(3, 2, 8, 3), chunk('tRNS', new Uint8Array()), plte,
      chunk('IDAT', deflateSync(new Uint8Array([0, 0, 1, 0, 0, 1, 1, 0]))), iend]), want: [255, 0, 0, 255, 0, 255, 0, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 255, 0, 0, 255] },
    { name: 'zlib stream cut before its checksum', bytes: concat([SIG, ihdr(1, 2, 8, 2), chunk('IDAT', deflateSync(new Uint8Array([0, 1, 2, 3, 0, 4, 5, 6])).subarray(0, -4)), iend]), want: /truncated/ },
    { name: 'no IEND', bytes: concat([SIG, ihdr(1, 2, 8, 2), idat]), want: /ends before its IEND chunk/ },
    { name: 'image data short by a row', bytes: concat([SIG, ihdr(1, 3, 8, 2), idat, iend]), want: /truncated/ },
  ];
  for (const { name, bytes, want } of cases) {
    checkWant(name, bytes, want);
  }
});

test('odd ancillary chunks are skipped and broken critical ones refused, as libpng does', () => {
  const rgbRows = new Uint8Array([0, 10, 20, 30, 0, 40, 50, 60]); // 1x2 RGB, filter None
  const pixels = [10, 20, 30, 255, 40, 50, 60, 255];
  const idat = chunk('IDAT', deflateSync(rgbRows)), iend = chunk('IEND', new Uint8Array());
  const idat3 = chunk('IDAT', deflateSync(concat([rgbRows, new Uint8Array([0, 10, 20, 30])])));
  const head = [SIG, ihdr(1, 2, 8, 2)];
  const iccp = (keyword: string, method: number, profile: Uint8Array): Uint8Array =>
    chunk('iCCP', concat([Buffer.from(keyword, 'latin1'), new Uint8Array([0, method]), profile]));
  const cases: Array<{ name: string; bytes: Uint8Array; want: Want }> = [
    { name: 'tEXt', bytes: concat([...head, chunk('tEXt', Buffer.from('Title\0flowers', 'latin1')), idat, iend]), want: 'fast-png' },
    { name: 'tEXt without keyword', bytes: concat([...head, chunk('tEXt', Buffer.from('\0flowers', 'latin1')), idat, iend]), want: pixels },
    { name: 'tEXt without NUL', bytes: concat([...head, chunk('tEXt', Buffer.from('Title', 'latin1')), idat, iend]), want: pixels },
    { name: 'iCCP', bytes: concat([...head, iccp('ICC', 0, deflateSync(new Uint8Array(200))), idat, iend]), want: 'fast-png' },
    { name: 'iCCP not zlib', bytes: concat([...head, iccp('ICC', 0, new Uint8Array([1, 2, 3])), idat, iend]), want: pixels },
    { name: 'iCCP unknown method', bytes: concat([...head, iccp('ICC', 1, deflateSync(new Uint8Array(20))), idat, iend]), want: pixels },
    { name: 'pHYs', bytes: concat([...head, chunk('pHYs', new Uint8Array(9)), idat, iend]), want: 'fast-png' },
    { name: 'pHYs too short', bytes: concat([...head, chunk('pHYs', new Uint8Array(5)), idat, iend]), want: pixels },
    { name: 'unknown chunks', bytes: concat([...head, chunk('zzZz', new Uint8Array(7)), chunk('ABCD', new Uint8Array(3)), idat, iend]), want: 'fast-png' },
    { name: 'IEND with a body', bytes: concat([...head, idat, chunk('IEND', new Uint8Array(2))]), want: pixels },
    { name: 'tRNS on RGB', bytes: concat([SIG, ihdr(1, 3, 8, 2), chunk('tRNS', new Uint8Array([0, 10, 0, 20, 0, 30])), idat3, iend]), want: 'fast-png' },
    { name: 'tRNS on RGB, odd length: ignored', bytes: concat([SIG, ihdr(1, 3, 8, 2), chunk('tRNS', new Uint8Array([0, 10, 0])), idat3, iend]), want: [...pixels, 10, 20, 30, 255] },
    { name: 'tRNS on RGBA: ignored', bytes: concat([SIG, ihdr(1, 1, 8, 6), chunk('tRNS', new Uint8Array(6)), chunk('IDAT', deflateSync(new Uint8Array(5))), iend]), want: [0, 0, 0, 0] },
    { name: 'PLTE length not a multiple of 3', bytes: concat([SIG, ihdr(1, 1, 8, 3), chunk('PLTE', new Uint8Array(4)), chunk('IDAT', deflateSync(new Uint8Array(2))), iend]), want: /palette is not valid/ },
    { name: 'two PLTE chunks', bytes: concat([SIG, ihdr(1, 1, 8, 3), chunk('PLTE', new Uint8Array(3)), chunk('PLTE', new Uint8Array(3)), chunk('IDAT', deflateSync(new Uint8Array(2))), iend]), want: /more than one PLTE/ },
    { name: 'palette image without PLTE', bytes: concat([SIG, ihdr(1, 1, 8, 3), chunk('IDAT', deflateSync(new Uint8Array(2))), iend]), want: /palette is missing/ },
    { name: 'palette index out of range', bytes: concat([SIG, ihdr(2, 1, 8, 3), chunk('PLTE', new Uint8Array([9, 8, 7])), chunk('IDAT', deflateSync(new Uint8Array([0, 0, 5]))), iend]), want: 'fast-png' },
    { name: 'unknown filter type', bytes: concat([...head, chunk('IDAT', deflateSync(new Uint8Array([0, 1, 2, 3, 7, 4, 5, 6]))), iend]), want: /unknown row filter/ },
    { name: 'filter method 1', bytes: concat([SIG, ihdr(1, 2, 8, 2, 1), idat, iend]), want: /header is not valid/ },
    { name: 'extra image data', bytes: concat([...head, chunk('IDAT', deflateSync(concat([rgbRows, new Uint8Array(100)]))), iend]), want: 'fast-png' },
    { name: 'zlib checksum wrong', bytes: concat([...head, chunk('IDAT', (() => { const z = deflateSync(rgbRows); z[z.length - 1] ^= 1; return z; })()), iend]), want: /image data is not valid/ },
  ];
  for (const { name, bytes, want } of cases) checkWant(name, bytes, want);
});

test('a truncated PNG is a 422, and a corrupted byte a 422 or the very same pixels', () => {
  // Every cut loses IEND at least. The file has only IHDR, IDAT and IEND, so every byte after
  // IHDR belongs to a critical chunk whose CRC (or, for a length, the chunk layout) catches a change.
  const src = fixture(F.roseSmallPng);
  const original = decodePng(src);
  const rnd = seededBytes(7);
  const check = (name: string, bytes: Uint8Array, mayDecode: boolean): void => {
    const got = outcome(() => decodePng(bytes));
    if (got.ok) {
      assert.ok(mayDecode && sameOutcome(got, { ok: true, ...original }), `decodePng(${name}) = ${describe(got)}, want a 422${mayDecode ? ' or the original pixels' : ''}`);
      return;
    }
    assert.equal(got.status, 422, `decodePng(${name}) = ${describe(got)}, want a 422`);
    assert.match(got.message, /^[A-Z][^\n]*\.$/, `decodePng(${name}) message = ${got.message}, want one sentence`);
  };
  for (let cut = 8; cut < src.length; cut += 7) check(`${F.roseSmallPng}[:${cut}]`, src.subarray(0, cut), false);
  for (let i = 0; i < 300; i++) {
    const b = src.slice();
    const at = 33 + (((rnd() << 8) | rnd()) % (b.length - 33));
    const before = b[at];
    b[at] = rnd();
    check(`${F.roseSmallPng} with byte ${at} = ${b[at]} (was ${before})`, b, b[at] === before);
  }
});

test('a zlib bomb is refused by the fast path before it inflates', () => {
  const bomb = deflateSync(new Uint8Array(40 * 1024 * 1024));
  const bytes = concat([SIG, ihdr(10, 10, 8, 2), chunk('IDAT', bomb), chunk('IEND', new Uint8Array())]);
  const t = Date.now();
  const got = outcome(() => fastPath(bytes) as { bitmap: Bitmap; hasAlpha: boolean });
  assert.ok(!got.ok && got.status === 422, `decodePngFast(zlib bomb) = ${describe(got)}, want a 422`);
  assert.ok(Date.now() - t < 2000, `decodePngFast(zlib bomb) took ${Date.now() - t} ms`);
  assert.throws(() => decodePng(bytes), (e: unknown) => e instanceof UnprocessableImageError, 'decodePng(zlib bomb) did not throw UnprocessableImageError');
});

/** bitmapOf builds a w x h RGBA bitmap from a pixel function. */
function bitmapOf(w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): Bitmap {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(px(x, y), (y * w + x) * 4);
  return { width: w, height: h, data };
}

/** filtersUsed inflates the single IDAT of an encoded PNG and counts each row's filter type. */
function filtersUsed(png: Uint8Array, w: number, h: number, ch: number): Set<number> {
  const len = new DataView(png.buffer, png.byteOffset).getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + len));
  return new Set(Array.from({ length: h }, (_, y) => raw[y * (w * ch + 1)]));
}

test('encodePngFast round-trips losslessly through fast-png and decodePng', () => {
  const rnd = seededBytes(99);
  const noise = (w: number, h: number, alpha: boolean): Bitmap => bitmapOf(w, h, () => [rnd(), rnd(), rnd(), alpha ? rnd() : 255]);
  const gradient = (w: number, h: number): Bitmap => bitmapOf(w, h, (x, y) => [(x * 7) & 255, (y * 5) & 255, (x + y) & 255, 255 - ((x * y) & 127)]);
  const flat = (w: number, h: number): Bitmap => bitmapOf(w, h, (x, y) => (((x >> 3) + (y >> 3)) & 1 ? [200, 30, 30, 255] : [10, 10, 240, 128]));
  const photo = decodePng(fixture(F.flowersPng)).bitmap;
  const cases: Array<{ name: string; bm: Bitmap }> = [
    { name: '1x1', bm: noise(1, 1, true) }, { name: '1x9', bm: noise(1, 9, true) }, { name: '9x1', bm: noise(9, 1, true) }, { name: '7x5 noise', bm: noise(7, 5, true) },
    { name: '33x17 gradient', bm: gradient(33, 17) }, { name: '40x24 two colours', bm: flat(40, 24) }, { name: F.flowersPng, bm: photo },
  ];
  for (const { name, bm } of cases) {
    for (const alpha of [false, true]) {
      for (const filter of ['auto', 'adaptive', 'none'] as const) {
        const label = `encodePngFast(${name}, alpha=${alpha}, ${filter})`;
        const out = encodePngFast(bm, alpha, { filter });
        assert.equal(out[25], alpha ? 6 : 2, `${label} colour type = ${out[25]}, want ${alpha ? 6 : 2}`);
        const want = new Uint8Array(bm.data);
        if (!alpha) for (let i = 3; i < want.length; i += 4) want[i] = 255;
        const viaFastPng = fastPngDecode(out, { checkCrc: true });
        const ch = alpha ? 4 : 3;
        const fp = new Uint8Array(bm.width * bm.height * 4);
        for (let i = 0, j = 0; j < fp.length; i += ch, j += 4) {
          fp[j] = viaFastPng.data[i]; fp[j + 1] = viaFastPng.data[i + 1]; fp[j + 2] = viaFastPng.data[i + 2]; fp[j + 3] = alpha ? viaFastPng.data[i + 3] : 255;
        }
        assert.equal(`${viaFastPng.width}x${viaFastPng.height}`, `${bm.width}x${bm.height}`, `fast-png(${label}) size`);
        assert.ok(Buffer.compare(Buffer.from(fp), Buffer.from(want)) === 0, `fast-png(${label}) pixels differ from the source`);
        const ours = decodePng(out);
        assert.ok(Buffer.compare(Buffer.from(ours.bitmap.data), Buffer.from(want)) === 0, `decodePng(${label}) pixels differ from the source`);
        assert.notEqual(fastPath(out), null, `decodePngFast(${label}) declined our own output`);
      }
    }
  }
  const used = filtersUsed(encodePngFast(photo, false), photo.width, photo.height, 3);
  assert.ok(used.size >= 2, `encodePngFast(${F.flowersPng}) row filters = ${[...used]}, want an adaptive mix`);
  const flatUsed = filtersUsed(encodePngFast(flat(40, 24), true), 40, 24, 4);
  assert.deepEqual([...flatUsed], [0], `encodePngFast(two colours) row filters = ${[...flatUsed]}, want only None (few colours)`);
});

test('encodePngFast output is smaller than fast-png\'s own encoder on a photo', () => {
  const photo = decodePng(fixture(F.flowersPng)).bitmap;
  const ours = encodePngFast(photo, false).length;
  const rgb = new Uint8Array(photo.width * photo.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) rgb.set(photo.data.subarray(i, i + 3), j);
  const theirs = fastPngEncode({ width: photo.width, height: photo.height, data: rgb, depth: 8, channels: 3 }).length;
  assert.ok(ours < theirs, `encodePngFast(${F.flowersPng}) = ${ours} bytes, want fewer than fast-png's ${theirs}`);
});

test('encodePngFast deflates a photo with Z_RLE and graphics at level 4, never larger than level 4 alone', () => {
  const photo = decodePng(new Uint8Array(readFileSync(path.join(FIXTURES, '..', 'bench/images/flowers1024.png')))).bitmap;
  // Many colours, flat areas and repeats: filtered adaptively, but Z_RLE would lose here.
  const graphic = bitmapOf(320, 240, (x, y) => ((x >> 4) + (y >> 4)) & 1 ? [(x * 3) & 255, (y * 2) & 255, 90, 255] : [x & 255, 250, y & 255, 255]);
  for (const { name, bm, rle } of [{ name: 'flowers1024.png', bm: photo, rle: true }, { name: 'graphic 320x240', bm: graphic, rle: false }]) {
    const out = encodePngFast(bm, false);
    const len = new DataView(out.buffer, out.byteOffset).getUint32(33);
    const level4 = deflateSync(inflateSync(out.subarray(41, 41 + len)), { level: 4 }).length;
    assert.ok(rle ? len < 0.95 * level4 : len === level4, `encodePngFast(${name}) IDAT = ${len} bytes, want ${rle ? 'under 95% of' : 'exactly'} level 4's ${level4}`);
  }
});

test('an iCCP profile is never inflated, on either path', () => {
  // The proxy does not colour-manage. A profile that is not even valid zlib would make fast-png
  // throw, so decoding the very pixels of the file without it shows the profile went unread;
  // a profile bomb is then harmless. quadInterlacedPng is Adam7, roseSmallPng is not.
  const garbage = chunk('iCCP', concat([Buffer.from('ICC', 'latin1'), new Uint8Array([0, 0]), new Uint8Array([1, 2, 3])]));
  const bomb = chunk('iCCP', concat([Buffer.from('ICC', 'latin1'), new Uint8Array([0, 0]), deflateSync(new Uint8Array(32 * 1024 * 1024))]));
  for (const name of [F.quadInterlacedPng, F.roseSmallPng]) {
    const plain = fixture(name);
    const want = decodePng(plain);
    for (const [what, extra] of [['garbage profile', garbage], ['32 MB profile', bomb], ['both', concat([garbage, bomb])]] as const) {
      // Right after IHDR (8-byte signature + 25-byte IHDR chunk), where encoders put it.
      const bytes = concat([plain.subarray(0, 33), extra, plain.subarray(33)]);
      const got = outcome(() => decodePng(bytes));
      assert.ok(got.ok, `decodePng(${name} + ${what}) = ${describe(got)}, want pixels`);
      assert.ok(got.ok && Buffer.from(got.bitmap.data).equals(Buffer.from(want.bitmap.data)), `decodePng(${name} + ${what}) pixels differ from ${name}'s`);
    }
  }
});
