/**
 * The inverse DCT and block storing inside the WebAssembly entropy decoder (huffman.wat, see
 * huffwasm.ts setWasmStore) are the twin of store.ts with idct.ts: with them on, with them off
 * (coefficients streamed to JavaScript) and with the JavaScript decoder alone, decodeJpegPlanes
 * gives the very same planes, errors and fallbacks at every scale, on every fixture JPEG (restart
 * markers, 4:4:4, 4:2:2, 4:2:0, 4:1:1, 4:4:0, gray, odd sizes), on the bench photos and on damaged
 * copies; and subsampledChroma keeps chroma planes at their own resolution.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { FIXTURES, ROOT } from '../../../helpers/paths.js';
import { seg, sof0, SOS_ONE } from '../../../helpers/hostile.js';
import { decodeJpegPlanes } from '../../../../lib/codecs/jpegfast/decoder.js';
import { setWasmEntropy, setWasmStore, wasmEntropyReady } from '../../../../lib/codecs/jpegfast/huffwasm.js';

function jpegs(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? jpegs(p) : /\.jpe?g$/i.test(n) ? [p] : [];
  });
}

const SCALES = [1, 2, 4, 8] as const;

/** outcome decodes bytes at scale and digests the planes (or the error message). */
function outcome(bytes: Uint8Array, scale: 1 | 2 | 4 | 8, subsampledChroma = false): string {
  try {
    const r = decodeJpegPlanes(bytes, { scale, maxPixels: 50_000_000, subsampledChroma });
    if (!r) return 'fallback';
    return createHash('sha256').update(JSON.stringify(r, (_k, v: unknown) =>
      ArrayBuffer.isView(v) ? createHash('sha256').update(v as Uint8Array).digest('hex') : v)).digest('hex');
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** modes decodes bytes in the three ways: wasm storing, wasm streaming to store.ts, JavaScript. */
function modes(bytes: Uint8Array, scale: 1 | 2 | 4 | 8, sub = false): { store: string; stream: string; js: string } {
  try {
    setWasmEntropy(true);
    setWasmStore(true);
    const store = outcome(bytes, scale, sub);
    setWasmStore(false);
    const stream = outcome(bytes, scale, sub);
    setWasmEntropy(false);
    return { store, stream, js: outcome(bytes, scale, sub) };
  } finally {
    setWasmEntropy(true);
    setWasmStore(true);
  }
}

function check(name: string, bytes: Uint8Array, scale: 1 | 2 | 4 | 8, sub = false): string {
  const { store, stream, js } = modes(bytes, scale, sub);
  assert.equal(stream, js, `decodeJpegPlanes(${name}, 1/${scale}) streamed wasm = ${stream}, want ${js} (JavaScript)`);
  assert.equal(store, js, `decodeJpegPlanes(${name}, 1/${scale}) wasm-stored = ${store}, want ${js} (JavaScript)`);
  return store;
}

test('wasm-stored, wasm-streamed and JavaScript decodes agree on every fixture JPEG at every scale', () => {
  assert.ok(wasmEntropyReady(), 'wasmEntropyReady() = false, want true where WebAssembly exists');
  const files = [...jpegs(FIXTURES), path.join(ROOT, 'bench/images/photo1024.jpg')];
  let decoded = 0;
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    for (const scale of SCALES) {
      for (const sub of [false, true]) {
        const r = check(`${path.relative(ROOT, file)}${sub ? ' subsampledChroma' : ''}`, bytes, scale, sub);
        if (!r.startsWith('error') && r !== 'fallback') decoded++;
      }
    }
  }
  assert.ok(decoded > files.length * 4, `only ${decoded} decodes succeeded, want most of ${files.length * 8}`);
});

test('the three decodes agree on the 4000 px bench photo at the reduced scales', () => {
  const bytes = new Uint8Array(readFileSync(path.join(ROOT, 'bench/images/photo4000.jpg')));
  for (const scale of [2, 4, 8] as const) check(`photo4000.jpg`, bytes, scale);
});

test('the three decodes agree on cut and damaged JPEGs at every scale', () => {
  const src = new Uint8Array(readFileSync(path.join(ROOT, 'fixtures/jpeg/restart-420.jpg')));
  const photo = new Uint8Array(readFileSync(path.join(ROOT, 'bench/images/photo1024.jpg')));
  const cases: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const frac of [0.5, 0.9]) cases.push({ name: `photo1024 cut at ${frac}`, bytes: photo.slice(0, Math.floor(photo.length * frac)) });
  let seed = 777;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (const [name, base] of [['restart-420', src], ['photo1024', photo]] as const) {
    for (let i = 0; i < 6; i++) {
      const b = base.slice();
      const from = Math.min(1000, base.length >> 1);
      for (let j = 0; j < 1 + i * 4; j++) b[from + Math.floor(rnd() * (b.length - from - 2))] = Math.floor(rnd() * 256);
      cases.push({ name: `${name} with ${1 + i * 4} random bytes`, bytes: b });
    }
  }
  for (const c of cases) for (const scale of SCALES) check(c.name, c.bytes, scale);
});

test('the three decodes agree where 0xFF bytes and markers fall in the entropy data (the wasm refill takes 8 bytes at once only where none is near)', () => {
  const photo = new Uint8Array(readFileSync(path.join(ROOT, 'bench/images/photo1024.jpg')));
  let seed = 4242;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const cases: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const second of [0x00, 0xd0, 0xd9, 0xff, 0x12]) {
    for (let i = 0; i < 4; i++) {
      const b = photo.slice(0, photo.length - Math.floor(rnd() * 64));
      const at = 2000 + Math.floor(rnd() * (b.length - 2100));
      b[at] = 0xff;
      b[at + 1] = second;
      cases.push({ name: `photo1024 with FF ${second.toString(16)} at ${at}, ${b.length} bytes`, bytes: b });
    }
  }
  for (const c of cases) for (const scale of [1, 8] as const) check(c.name, c.bytes, scale);
});

test('subsampledChroma keeps 4:2:0 chroma at half the luma size at reduced scales', () => {
  const bytes = new Uint8Array(readFileSync(path.join(ROOT, 'fixtures/jpeg/s420.jpg')));
  const cases = [
    { scale: 2 as const, sub: false, wantRatio: 1 },
    { scale: 2 as const, sub: true, wantRatio: 2 },
    { scale: 8 as const, sub: false, wantRatio: 1 },
    { scale: 8 as const, sub: true, wantRatio: 2 },
  ];
  for (const c of cases) {
    const r = decodeJpegPlanes(bytes, { scale: c.scale, maxPixels: 50_000_000, subsampledChroma: c.sub })!;
    const ratio = r.planes[0].width / r.planes[1].width;
    assert.ok(Math.abs(ratio - c.wantRatio) < 0.1, `decodeJpegPlanes(s420, 1/${c.scale}, subsampledChroma ${c.sub}) luma/chroma width = ${ratio}, want ${c.wantRatio}`);
    assert.equal(r.hmax / r.planes[1].h, c.wantRatio, `decodeJpegPlanes(s420, 1/${c.scale}, subsampledChroma ${c.sub}) hmax/h = ${r.hmax / r.planes[1].h}, want ${c.wantRatio}`);
  }
});

/**
 * overflowJpeg is a 16x8 greyscale baseline JPEG whose DC terms (512 times a 16-bit quantiser of
 * 256) make the first pass of the islow transform write 2^19: the second pass's 32-bit products
 * then wrap, and only libjpeg's DC-only shortcut for a row without AC terms gives 255 there (the
 * butterfly would give 128). Block 1 has an AC term in column 1 only (column 0 takes the shortcut
 * in pass 1), block 2 in column 0 only (every row takes it in pass 2), so the WebAssembly lanes
 * must take the shortcut exactly where the JavaScript transform does.
 */
function overflowJpeg(): Uint8Array {
  const dqt = [0x10, ...Array.from({ length: 64 }, (_, i) => (i === 0 ? [0x01, 0x00] : [0, 1])).flat()];
  const counts = (byLength: Record<number, number>): number[] => Array.from({ length: 16 }, (_, i) => byLength[i + 1] ?? 0);
  // DC: 00 -> 0, 01 -> 10, 10 -> 11. AC: 00 -> EOB, 01 -> run 3 size 1, 100 -> run 1 size 1, 101 -> size 10.
  const dht = [0x00, ...counts({ 2: 3 }), 0, 10, 11, 0x10, ...counts({ 2: 2, 3: 2 }), 0x00, 0x31, 0x11, 0x0a];
  const bits = '01' + (512).toString(2).padStart(10, '0') + '01' + '1' + '00' + '00' + '100' + '1' + '00';
  const data: number[] = [];
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '1');
  for (let i = 0; i < padded.length; i += 8) {
    const byte = parseInt(padded.slice(i, i + 8), 2);
    data.push(byte);
    if (byte === 0xff) data.push(0);
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]), seg(0xdb, dqt), sof0(16, 8), seg(0xc4, dht), SOS_ONE, Buffer.from(data), Buffer.from([0xff, 0xd9]),
  ]);
}

test('the three decodes agree where a huge DC term overflows the full-size transform (the DC-only shortcut, lane by lane)', () => {
  const bytes = overflowJpeg();
  const r = check('overflowJpeg', bytes, 1);
  assert.ok(!r.startsWith('error') && r !== 'fallback', `decodeJpegPlanes(overflowJpeg, 1/1) = ${r}, want planes`);
  for (const scale of [2, 4, 8] as const) check('overflowJpeg', bytes, scale);
});
