/**
 * The WebAssembly PNG row filters (lib/codecs/pngwasm/png.wat via pngwasm.ts) are twins of the
 * JavaScript in pngfast.ts and pngfast-encode.ts: the embedded module is a fresh compile of its
 * source, and both give the very same pixels, alpha flags, errors and encoded bytes on every
 * fixture PNG, on random images of every 8-bit layout and filter, on hostile rows, and in a
 * process without WebAssembly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import wabtInit from 'wabt';
import { DIST, FIXTURES, ROOT } from '../../../helpers/paths.js';
import { seededUint32 } from '../../../helpers/prng.js';
import { decodePng } from '../../../../lib/codecs/png.js';
import { encodePngFast } from '../../../../lib/codecs/pngfast-encode.js';
import { setWasmPng, wasmPngReady } from '../../../../lib/codecs/pngwasm/pngwasm.js';
import { PNG_WASM_BASE64 } from '../../../../lib/codecs/pngwasm/png-bytes.js';
import { pngChunk } from '../../../helpers/colour.js';
import type { Bitmap } from '../../../../lib/codecs/types.js';
import { bothWays } from '../../../helpers/twins.js';

const execFileP = promisify(execFile);

/** EXTRA_PNG_DIRS add Go's image/png testdata (with PngSuite) where the Go toolchain is installed. */
const EXTRA_PNG_DIRS = ['/usr/lib/go/src/image/png/testdata'];

function pngFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? pngFiles(p) : n.endsWith('.png') ? [p] : [];
  });
}

/** FILES are the fixture PNGs (pngsuite, gopng, libpng, ...) and the bench's photo. */
const FILES = [...pngFiles(FIXTURES), ...EXTRA_PNG_DIRS.filter((d) => existsSync(d)).flatMap(pngFiles), path.join(ROOT, 'bench/images/flowers1024.png')];

const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** outcome decodes bytes and summarises the pixels and alpha flag, or the error. */
function outcome(bytes: Uint8Array): string {
  try {
    const { bitmap, hasAlpha } = decodePng(bytes);
    return `${bitmap.width}x${bitmap.height} ${digest(bitmap.data)} alpha ${hasAlpha}`;
  } catch (err) {
    return `error ${(err as { status?: number }).status} ${(err as Error).message}`;
  }
}

/** both runs fn with the WebAssembly twin, then with the JavaScript one. */
const both = <T>(fn: () => T): { wasm: T; js: T } => bothWays(setWasmPng, fn);

const SIG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** pngOf wraps filtered scanlines (filter bytes included) of an 8-bit image in a PNG, with an optional tRNS body. */
function pngOf(w: number, h: number, colorType: number, raw: Uint8Array, trns?: Uint8Array): Uint8Array {
  const hd = new Uint8Array(13);
  const dv = new DataView(hd.buffer);
  dv.setUint32(0, w); dv.setUint32(4, h);
  hd[8] = 8; hd[9] = colorType;
  const parts = [SIG, pngChunk('IHDR', hd)];
  if (trns) parts.push(pngChunk('tRNS', trns));
  parts.push(pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array()));
  return new Uint8Array(Buffer.concat(parts));
}

/** randomRows returns h filtered rows of w pixels of bpp bytes, row y's filter from filterOf(y). */
function randomRows(w: number, h: number, bpp: number, next: () => number, filterOf: (y: number) => number, flat: boolean): Uint8Array {
  const stride = w * bpp;
  const raw = new Uint8Array((stride + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (stride + 1)] = filterOf(y);
    // Flat rows (small residuals) as well as noise, so that Paeth's three predictors all win somewhere.
    for (let i = 1; i <= stride; i++) raw[y * (stride + 1) + i] = flat ? (next() % 5) - 2 : next() & 255;
  }
  return raw;
}

test('png-bytes.ts is the compiled png.wat', async () => {
  const wabt = await wabtInit();
  const file = path.join(ROOT, 'lib/codecs/pngwasm/png.wat');
  const mod = wabt.parseWat('png.wat', readFileSync(file, 'utf8'), { simd: true });
  mod.validate();
  const fresh = Buffer.from(mod.toBinary({}).buffer).toString('base64');
  assert.equal(PNG_WASM_BASE64, fresh, 'png-bytes.ts differs from a fresh compile of png.wat (run npm run build:wasm)');
});

test('the WebAssembly and JavaScript row filters decode every fixture PNG alike', () => {
  assert.ok(wasmPngReady(), 'wasmPngReady() = false, want true where WebAssembly exists');
  assert.ok(FILES.length >= 60, `found ${FILES.length} PNG fixtures, want at least 60`);
  for (const file of FILES) {
    const bytes = new Uint8Array(readFileSync(file));
    const { wasm, js } = both(() => outcome(bytes));
    assert.equal(wasm, js, `decodePng(${path.relative(ROOT, file)}) wasm = ${wasm}, want ${js} (JavaScript)`);
  }
});

test('the twins decode random 8-bit images of every layout, filter, size and tRNS key alike', () => {
  const next = seededUint32(15);
  const sizes = [{ w: 1, h: 1 }, { w: 2, h: 3 }, { w: 3, h: 5 }, { w: 4, h: 2 }, { w: 5, h: 7 }, { w: 17, h: 6 }, { w: 33, h: 9 }, { w: 64, h: 5 }, { w: 250, h: 4 }];
  let n = 0;
  for (const colorType of [0, 2, 4, 6]) {
    const bpp = CHANNELS[colorType];
    for (const { w, h } of sizes) {
      for (const flat of [false, true]) {
        // Runs of Paeth rows take the two-rows-at-once path; 'paeth runs' breaks them at odd places.
        for (const filters of ['each', 'random', 'paeth', 'paeth runs'] as const) {
          const filterOf = (y: number): number => (filters === 'each' ? y % 5 : filters === 'random' ? next() % 5 : filters === 'paeth' || y % 3 !== 2 ? 4 : next() % 4);
          const raw = randomRows(w, h, bpp, next, filterOf, flat);
          // tRNS: none, a key equal to the first pixel (when unfiltered), a key no 8-bit sample can
          // match (above 255), and a body too short for the colour type.
          const keys: Array<Uint8Array | undefined> = [undefined];
          if (colorType === 0) keys.push(Uint8Array.of(0, raw[1]), Uint8Array.of(1, raw[1]));
          if (colorType === 2) keys.push(Uint8Array.of(0, raw[1], 0, raw[2], 0, raw[3]), Uint8Array.of(0, raw[1], 1, raw[2], 0, raw[3]), Uint8Array.of(0, 1));
          if (colorType === 6) keys.push(Uint8Array.of(0, 0));
          for (const trns of keys) {
            const bytes = pngOf(w, h, colorType, raw, trns);
            const name = `random #${++n} (type ${colorType}, ${w}x${h}, ${flat ? 'flat' : 'noise'}, filters ${filters}, tRNS ${trns ? Buffer.from(trns).toString('hex') : 'none'})`;
            const { wasm, js } = both(() => outcome(bytes));
            assert.ok(!js.startsWith('error'), `decodePng(${name}) JavaScript = ${js}, want pixels`);
            assert.equal(wasm, js, `decodePng(${name}) wasm = ${wasm}, want ${js} (JavaScript)`);
          }
        }
      }
    }
  }
});

test('the twins give the same error for unknown filter types and short image data', () => {
  const next = seededUint32(99);
  const cases: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const colorType of [0, 2, 4, 6]) {
    const bpp = CHANNELS[colorType];
    const w = 19, h = 6, stride = w * bpp;
    for (const { row, ft } of [{ row: 0, ft: 5 }, { row: 3, ft: 255 }, { row: 5, ft: 128 }, { row: 2, ft: 6 }]) {
      const raw = randomRows(w, h, bpp, next, (y) => y % 5, false);
      raw[row * (stride + 1)] = ft;
      cases.push({ name: `type ${colorType}, filter ${ft} on row ${row}`, bytes: pngOf(w, h, colorType, raw) });
    }
    const raw = randomRows(w, h, bpp, next, (y) => y % 5, false);
    cases.push({ name: `type ${colorType}, one byte short`, bytes: pngOf(w, h, colorType, raw.subarray(0, raw.length - 1)) });
  }
  for (const c of cases) {
    const { wasm, js } = both(() => outcome(c.bytes));
    assert.match(js, /^error 422 /, `decodePng(${c.name}) JavaScript = ${js}, want a 422`);
    assert.equal(wasm, js, `decodePng(${c.name}) wasm = ${wasm}, want ${js} (JavaScript)`);
  }
});

/** bitmapOf makes a w x h RGBA bitmap from px. */
function bitmapOf(w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): Bitmap {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(px(x, y), (y * w + x) * 4);
  return { width: w, height: h, data };
}

test('the twins encode random and fixture bitmaps to the same bytes', () => {
  const next = seededUint32(7);
  const cases: Array<{ name: string; bitmap: Bitmap }> = [];
  for (const { w, h } of [{ w: 1, h: 1 }, { w: 2, h: 2 }, { w: 5, h: 3 }, { w: 6, h: 4 }, { w: 16, h: 3 }, { w: 21, h: 7 }, { w: 100, h: 5 }, { w: 333, h: 3 }]) {
    cases.push({ name: `noise ${w}x${h}`, bitmap: bitmapOf(w, h, () => [next() & 255, next() & 255, next() & 255, next() & 255]) });
    cases.push({ name: `gradient ${w}x${h}`, bitmap: bitmapOf(w, h, (x, y) => [(x * 7 + y) & 255, (y * 13) & 255, (x * y) & 255, 255 - ((x + y) & 63)]) });
    cases.push({ name: `extremes ${w}x${h}`, bitmap: bitmapOf(w, h, () => { const v = next(); return [v & 1 ? 255 : 0, v & 2 ? 255 : 0, v & 4 ? 128 : 127, v & 8 ? 255 : 0]; }) });
  }
  for (const file of FILES.filter((_f, i) => i % 3 === 0)) {
    try {
      cases.push({ name: path.relative(ROOT, file), bitmap: decodePng(new Uint8Array(readFileSync(file))).bitmap });
    } catch {
      // corrupt fixtures have no bitmap to encode
    }
  }
  for (const { name, bitmap } of cases) {
    for (const hasAlpha of [false, true]) {
      for (const filter of ['adaptive', 'auto'] as const) {
        const { wasm, js } = both(() => digest(encodePngFast(bitmap, hasAlpha, { filter })));
        assert.equal(wasm, js, `encodePngFast(${name}, alpha ${hasAlpha}, ${filter}) wasm = ${wasm}, want ${js} (JavaScript)`);
      }
    }
  }
});

test('without WebAssembly the JavaScript row filters run and give the same pixels and bytes', async () => {
  const files = FILES.filter((f) => /flowers1024|basn[0246]a?08|basn2c08|f0[0-4]n2c08/.test(f)).slice(0, 12);
  const script = `
    import { readFileSync } from 'node:fs';
    import { createHash } from 'node:crypto';
    const { decodePng } = await import(${JSON.stringify(path.join(DIST, 'lib/codecs/png.js'))});
    const { encodePngFast } = await import(${JSON.stringify(path.join(DIST, 'lib/codecs/pngfast-encode.js'))});
    const { wasmPngReady } = await import(${JSON.stringify(path.join(DIST, 'lib/codecs/pngwasm/pngwasm.js'))});
    const d = (b) => createHash('sha256').update(b).digest('hex').slice(0, 16);
    const out = [String(wasmPngReady())];
    for (const f of ${JSON.stringify(files)}) {
      const { bitmap, hasAlpha } = decodePng(new Uint8Array(readFileSync(f)));
      out.push(d(bitmap.data) + ' ' + hasAlpha + ' ' + d(encodePngFast(bitmap, hasAlpha, { filter: 'adaptive' })));
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await execFileP(process.execPath, ['--no-expose-wasm', '--input-type=module', '-e', script], { maxBuffer: 1 << 20 });
  const [ready, ...got] = JSON.parse(stdout) as string[];
  assert.equal(ready, 'false', `wasmPngReady() under --no-expose-wasm = ${ready}, want false`);
  assert.ok(files.length >= 4, `found ${files.length} files for the subprocess, want at least 4`);
  files.forEach((f, i) => {
    const { bitmap, hasAlpha } = decodePng(new Uint8Array(readFileSync(f)));
    const want = `${digest(bitmap.data)} ${hasAlpha} ${digest(encodePngFast(bitmap, hasAlpha, { filter: 'adaptive' }))}`;
    assert.equal(got[i], want, `decode and encode of ${path.relative(ROOT, f)} without WebAssembly = ${got[i]}, want ${want} (with it)`);
  });
});
