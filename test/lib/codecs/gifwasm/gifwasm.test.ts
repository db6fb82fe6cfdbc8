/**
 * The WebAssembly GIF twin (lib/codecs/gifwasm/gif.wat via gifwasm.ts) of gif-lzw.ts, gif.ts's
 * JavaScript compositor, quantize.ts's mapping and gif-anim.ts's changedRect: the embedded module
 * is a fresh compile of its source, and both give the very same frames, counts, errors, indices
 * and bytes on every fixture GIF, on cut and damaged copies, on hostile LZW streams, on synthetic
 * animations, and in a process without WebAssembly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import wabtInit from 'wabt';
import { DIST, FIXTURES, ROOT } from '../../../helpers/paths.js';
import { makeAnimatedGif } from '../../../helpers/codec-fixtures.js';
import { seededRandom } from '../../../helpers/prng.js';
import { decodeGif, encodeGif, readGifInfo } from '../../../../lib/codecs/gif.js';
import { lzwDecode, lzwEncode } from '../../../../lib/codecs/gif-lzw.js';
import { changedRect } from '../../../../lib/codecs/gif-anim.js';
import { quantizeFrames } from '../../../../lib/codecs/quantize.js';
import type { Frame } from '../../../../lib/codecs/types.js';
import { encodeChangedWasm, lzwDecodeWasm, lzwEncodeWasm, setWasmGif, wasmGifReady } from '../../../../lib/codecs/gifwasm/gifwasm.js';
import { GIF_WASM_BASE64 } from '../../../../lib/codecs/gifwasm/gif-bytes.js';
import { bothWays } from '../../../helpers/twins.js';

const execFileP = promisify(execFile);

function gifs(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? gifs(p) : /\.gif$/i.test(n) ? [p] : [];
  });
}

/** FILES are the fixture GIFs plus the bench's five-frame animation. */
const FILES = [...gifs(FIXTURES), path.join(ROOT, 'bench/images/anim640.gif')];

/** outcome decodes a GIF and digests its frames (or gives the error message). */
function outcome(bytes: Uint8Array): string {
  try {
    const r = decodeGif(bytes);
    return createHash('sha256').update(JSON.stringify(r, (_k, v: unknown) =>
      ArrayBuffer.isView(v) ? createHash('sha256').update(v as Uint8Array).digest('hex') : v)).digest('hex');
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** both runs fn with the WebAssembly twin, then with the JavaScript one. */
const both = <T>(fn: () => T): { wasm: T; js: T } => bothWays(setWasmGif, fn);

function hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 16);
}

test('gif-bytes.ts is the compiled gif.wat', async () => {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('gif.wat', readFileSync(path.join(ROOT, 'lib/codecs/gifwasm/gif.wat'), 'utf8'), { simd: true });
  mod.validate();
  const fresh = Buffer.from(mod.toBinary({}).buffer).toString('base64');
  assert.equal(GIF_WASM_BASE64, fresh, 'gif-bytes.ts differs from a fresh compile of gif.wat (run npm run build:wasm)');
});

test('the WebAssembly and JavaScript GIF decoders give the same frames on every fixture GIF', () => {
  assert.ok(wasmGifReady(), 'wasmGifReady() = false, want true where WebAssembly exists');
  assert.ok(FILES.length >= 6, `found ${FILES.length} GIFs, want at least 6`);
  const named = [...FILES.map((f) => ({ name: path.relative(ROOT, f), bytes: new Uint8Array(readFileSync(f)) })),
    { name: 'makeAnimatedGif() (every disposal)', bytes: makeAnimatedGif() }];
  for (const { name, bytes } of named) {
    const { wasm, js } = both(() => outcome(bytes));
    assert.ok(!js.startsWith('error'), `decodeGif(${name}) = ${js}, want frames`);
    assert.equal(wasm, js, `decodeGif(${name}) wasm = ${wasm}, want ${js} (JavaScript)`);
  }
});

test('the twins agree on cut and damaged GIFs: same frames or the same error', () => {
  for (const file of FILES) {
    const src = new Uint8Array(readFileSync(file));
    const cases: Array<{ name: string; bytes: Uint8Array }> = [];
    for (const frac of [0.05, 0.3, 0.6, 0.97]) {
      // A cut copy with its trailer put back walks fine and ends its last frame's data early.
      const cut = src.slice(0, Math.floor(src.length * frac));
      const closed = new Uint8Array(cut.length + 2);
      closed.set(cut);
      closed[cut.length + 1] = 0x3b;
      cases.push({ name: `cut at ${frac}`, bytes: cut }, { name: `cut at ${frac} + trailer`, bytes: closed });
    }
    const r = seededRandom(src.length);
    for (let i = 0; i < 8; i++) {
      const b = src.slice();
      for (let j = 0; j < 1 + i * 4; j++) b[800 + Math.floor(r() * (b.length - 802))] = Math.floor(r() * 256);
      cases.push({ name: `${1 + i * 4} random bytes (round ${i})`, bytes: b });
    }
    for (const c of cases) {
      const { wasm, js } = both(() => outcome(c.bytes));
      assert.equal(wasm, js, `decodeGif(${path.relative(ROOT, file)} ${c.name}) wasm = ${wasm}, want ${js} (JavaScript)`);
    }
  }
});

/** chain writes LZW codes of given widths, low bit first, as GIF sub-blocks of 255 (then a terminator). */
function chain(codes: Array<[code: number, width: number]>): Uint8Array {
  const raw: number[] = [];
  let acc = 0, bits = 0;
  for (const [c, w] of codes) {
    acc |= c << bits;
    bits += w;
    while (bits >= 8) { raw.push(acc & 255); acc >>>= 8; bits -= 8; }
  }
  if (bits > 0) raw.push(acc & 255);
  const out: number[] = [];
  for (let i = 0; i < raw.length; i += 255) { const part = raw.slice(i, i + 255); out.push(part.length, ...part); }
  out.push(0);
  return Uint8Array.from(out);
}

/**
 * overflow fills the code table of an 8-bit stream with no clear code (decoders then go on with
 * the table frozen), then sends `last`: a literal, the last string code, or the end code.
 */
function overflow(last: 'literal' | 'string' | 'end'): Uint8Array {
  const codes: Array<[number, number]> = [[256, 9]];
  let next = 258, width = 9;
  for (let i = 0; i < 5000; i++) {
    codes.push([i % 256, width]);
    if (i > 0 && next < 4096) { next++; if (next === 1 << width && width < 12) width++; }
  }
  codes.push([last === 'literal' ? 7 : last === 'string' ? 4095 : 257, width], [4095, 12], [5, 12]);
  return chain(codes);
}

test('the twins agree on hostile LZW streams: truncated, bad code sizes, table overflow, junk', () => {
  const r = seededRandom(99);
  const noise = new Uint8Array(60000).map(() => Math.floor(r() * 256));
  const good = new Uint8Array(noise.length * 2);
  const goodEnd = lzwEncode(noise, 8, good, 0);
  const streams: Array<{ name: string; b: Uint8Array; start: number; min: number; count: number }> = [];
  for (const cut of [0, 1, 2, 3, 100, 256, 257, 9999, goodEnd - 2, goodEnd - 1]) {
    streams.push({ name: `noise cut at ${cut}`, b: good.subarray(0, cut), start: 1, min: 8, count: noise.length });
  }
  for (let min = 0; min <= 12; min++) streams.push({ name: `noise read at code size ${min}`, b: good, start: 1, min, count: noise.length });
  streams.push({ name: 'start past the end', b: good.subarray(0, 10), start: 50, min: 8, count: 100 });
  streams.push({ name: 'into 0 indices', b: good, start: 1, min: 8, count: 0 });
  streams.push({ name: 'into 777 indices', b: good, start: 1, min: 8, count: 777 });
  for (const last of ['literal', 'string', 'end'] as const) {
    streams.push({ name: `full table then ${last}`, b: overflow(last), start: 0, min: 8, count: 100000 });
  }
  streams.push({ name: 'first code is a string', b: chain([[300, 9], [1, 9]]), start: 0, min: 8, count: 10 });
  streams.push({ name: 'code past next', b: chain([[1, 9], [400, 9]]), start: 0, min: 8, count: 10 });
  streams.push({ name: 'clear then end', b: chain([[256, 9], [257, 9]]), start: 0, min: 8, count: 10 });
  streams.push({ name: 'KwKwK run', b: chain([[1, 3], [6, 3], [7, 3], [8, 4], [5, 4]]), start: 0, min: 2, count: 50 });
  for (let trial = 0; trial < 60; trial++) {
    const junk = new Uint8Array(3000).map(() => Math.floor(r() * 256));
    streams.push({ name: `junk ${trial}`, b: junk, start: trial % 3, min: 1 + (trial % 8), count: 20000 });
  }
  for (const s of streams) {
    const run = (fn: typeof lzwDecode) => () => {
      const out = new Uint8Array(s.count);
      const n = fn(s.b, s.start, s.min, out);
      return `${n} ${hex(out.subarray(0, n))}`;
    };
    const wasm = both(run(lzwDecodeWasm)).wasm, js = run(lzwDecode)();
    assert.equal(wasm, js, `lzwDecodeWasm(${s.name}) = ${wasm}, want ${js} (lzwDecode)`);
  }
});

test('lzwEncodeWasm writes the very bytes lzwEncode writes', () => {
  const r = seededRandom(5);
  const cases: Array<{ name: string; indices: Uint8Array; min: number }> = [
    { name: 'empty', indices: new Uint8Array(0), min: 2 },
    { name: 'one index', indices: Uint8Array.of(3), min: 2 },
    { name: 'constant 100000', indices: new Uint8Array(100000), min: 2 },
    { name: 'out of range indices', indices: Uint8Array.of(255, 7, 9, 200, 3, 3, 3), min: 2 },
  ];
  for (let min = 1; min <= 8; min++) {
    cases.push({ name: `noise ${min}-bit`, indices: new Uint8Array(120000).map(() => Math.floor(r() * (1 << min))), min });
    let v = 0;
    cases.push({ name: `runs ${min}-bit`, indices: new Uint8Array(90000).map(() => (r() < 0.05 ? (v = Math.floor(r() * (1 << min))) : v)), min });
  }
  for (const c of cases) {
    const room = Math.ceil(c.indices.length * 1.51) + Math.ceil(c.indices.length / 128) + 32;
    const js = new Uint8Array(room + 3), wasm = new Uint8Array(room + 3);
    const pj = lzwEncode(c.indices, c.min, js, 3), pw = both(() => lzwEncodeWasm(c.indices, c.min, wasm, 3)).wasm;
    assert.equal(pw, pj, `lzwEncodeWasm(${c.name}) ends at ${pw}, want ${pj}`);
    assert.equal(hex(wasm.subarray(0, pw)), hex(js.subarray(0, pj)), `lzwEncodeWasm(${c.name}) bytes differ from lzwEncode's`);
  }
});

test('encodeGif writes the same file with either coder, for every fixture GIF', () => {
  for (const file of FILES) {
    const { frames, loopCount, hasAlpha } = decodeGif(new Uint8Array(readFileSync(file)));
    const { wasm, js } = both(() => hex(encodeGif(frames, loopCount, hasAlpha)));
    assert.equal(wasm, js, `encodeGif(${path.relative(ROOT, file)}) wasm = ${wasm}, want ${js} (JavaScript)`);
    assert.ok(readGifInfo(encodeGif(frames, loopCount, hasAlpha)).frames.length === frames.length, `encodeGif(${file}) lost frames`);
  }
});

/** noisy makes a w x h RGBA frame of smooth colour plus noise, with alpha below 128 on some pixels when holes. */
function noisy(w: number, h: number, seed: number, holes: boolean): Uint8Array {
  const r = seededRandom(seed), out = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const x = i % w, y = (i / w) | 0;
    out[i * 4] = (x * 255 / w + r() * 40) & 255;
    out[i * 4 + 1] = (y * 255 / h + r() * 40) & 255;
    out[i * 4 + 2] = ((x + y) * 3 + r() * 90) & 255;
    out[i * 4 + 3] = holes && r() < 0.1 ? Math.floor(r() * 128) : 255;
  }
  return out;
}

test('quantizeFrames maps pixels to the same indices with either twin (median cut, with and without alpha)', () => {
  const frames = [noisy(333, 211, 1, false), noisy(333, 211, 2, true), noisy(17, 5, 3, true)];
  const opts = [
    { keepAlpha: false, reserve: true, maxColours: 256, cutColours: 32 },
    { keepAlpha: true, reserve: false, maxColours: 256 },
    { keepAlpha: true, reserve: false, maxColours: 16 },
    { keepAlpha: false, reserve: false, maxColours: 2 },
  ];
  for (const o of opts) {
    const { wasm, js } = both(() => {
      const q = quantizeFrames(frames, o);
      return `${q.exact} ${q.transparent} ${q.palette.join(',')} ${q.indices.map(hex).join(',')}`;
    });
    assert.equal(wasm, js, `quantizeFrames(${JSON.stringify(o)}) wasm = ${wasm.slice(0, 80)}..., want ${js.slice(0, 80)}... (JavaScript)`);
  }
});

test('encodeChangedWasm finds the rectangle changedRect finds and codes its indices as lzwEncode does', () => {
  const r = seededRandom(21);
  for (const width of [1, 7, 8, 9, 16, 17, 33, 500]) {
    const height = 1 + Math.floor(r() * 40);
    const prev = new Uint8Array(width * height).map(() => Math.floor(r() * 32));
    const edits: Array<{ name: string; edit: (b: Uint8Array) => void }> = [
      { name: 'no change', edit: () => {} },
      { name: 'first index', edit: (b) => { b[0] ^= 1; } },
      { name: 'last index', edit: (b) => { b[b.length - 1] ^= 1; } },
      { name: 'one in the middle', edit: (b) => { b[Math.floor(b.length / 2)] ^= 3; } },
      { name: 'a scatter', edit: (b) => { for (let k = 0; k < 12; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 32); } },
      { name: 'everything', edit: (b) => { for (let k = 0; k < b.length; k++) b[k] = (b[k] + 1) & 31; } },
    ];
    for (const { name, edit } of edits) {
      const idx = prev.slice();
      edit(idx);
      const { rect, pixels } = changedRect(idx, prev, width, 31);
      const room = new Uint8Array(Math.ceil(pixels.length * 1.51) + 64);
      const want = hex(room.subarray(0, lzwEncode(pixels, 5, room, 0)));
      const got = encodeChangedWasm(idx, prev, width, 31, 5);
      assert.ok(got, `encodeChangedWasm(${width} wide, ${name}) = undefined, want a result`);
      assert.deepEqual(got.rect, rect, `encodeChangedWasm(${width} wide, ${name}).rect = ${JSON.stringify(got.rect)}, want ${JSON.stringify(rect)}`);
      assert.equal(hex(got.lzw), want, `encodeChangedWasm(${width} wide, ${name}) codes differ from lzwEncode(changedRect(...))`);
    }
  }
});

test('encodeGif writes the same animation with either twin: opaque (differenced) and with alpha', () => {
  const make = (holes: boolean): Frame[] => [0, 1, 2, 3].map((i) => {
    const data = noisy(123, 77, 40, holes);
    // Later frames change a band, so that differencing has something to leave out.
    const band = noisy(123, 77, 41 + i, holes);
    data.set(band.subarray(123 * 4 * (10 + i * 5), 123 * 4 * (30 + i * 5)), 123 * 4 * (10 + i * 5));
    return { bitmap: { width: 123, height: 77, data }, delayMs: 70 };
  });
  for (const holes of [false, true]) {
    const frames = make(holes);
    const { wasm, js } = both(() => hex(encodeGif(frames, 0, holes)));
    assert.equal(wasm, js, `encodeGif(4 frames, alpha ${holes}) wasm = ${wasm}, want ${js} (JavaScript)`);
  }
});

test('without WebAssembly the JavaScript GIF coder runs and gives the same frames', async () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { createHash } from 'node:crypto';
    const { decodeGif } = await import(${JSON.stringify(path.join(DIST, 'lib/codecs/gif.js'))});
    const { wasmGifReady } = await import(${JSON.stringify(path.join(DIST, 'lib/codecs/gifwasm/gifwasm.js'))});
    const out = [String(wasmGifReady())];
    for (const f of ${JSON.stringify(FILES)}) {
      const r = decodeGif(new Uint8Array(readFileSync(f)));
      out.push(createHash('sha256').update(JSON.stringify(r, (k, v) => ArrayBuffer.isView(v) ? createHash('sha256').update(v).digest('hex') : v)).digest('hex'));
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await execFileP(process.execPath, ['--no-expose-wasm', '--input-type=module', '-e', script]);
  const [ready, ...got] = JSON.parse(stdout) as string[];
  assert.equal(ready, 'false', `wasmGifReady() under --no-expose-wasm = ${ready}, want false`);
  FILES.forEach((f, i) => {
    const want = outcome(new Uint8Array(readFileSync(f)));
    assert.equal(got[i], want, `decodeGif(${path.relative(ROOT, f)}) without WebAssembly = ${got[i]}, want ${want} (with it)`);
  });
});
