/**
 * The WebAssembly encoder (lib/codecs/jpegfast/encode.wat via encwasm.ts) is the twin of
 * encoder.ts's JavaScript path: the embedded module is a fresh compile of its source, and both
 * write the very same bytes for RGBA, grayscale and 4:2:0 plane input at every size and quality
 * tried, smooth, photographic and noisy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import jpeg from 'jpeg-js';
import wabtInit from 'wabt';
import { FIXTURES, ROOT } from '../../../helpers/paths.js';
import { encodeJpegFast, encodeJpegPlanes, type YccPlanes } from '../../../../lib/codecs/jpegfast/encoder.js';
import { setWasmEncoder, wasmEncoderReady } from '../../../../lib/codecs/jpegfast/encwasm.js';
import { ENCODE_WASM_BASE64 } from '../../../../lib/codecs/jpegfast/encode-bytes.js';

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** PHOTO is branches.jpg (MIT, disintegration/imaging) re-encoded by cjpeg; see fixtures/SOURCES.md. */
function photo(): Rgba {
  const r = jpeg.decode(readFileSync(path.join(FIXTURES, 'jpeg', 'photo-420.jpg')), { useTArray: true, formatAsRGBA: true });
  return { width: r.width, height: r.height, data: r.data };
}

/** noise is a seeded pseudo-random RGBA image: large coefficients, long codes, many 0xFF bytes. */
function noise(w: number, h: number, seed: number): Rgba {
  const data = new Uint8Array(w * h * 4);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width: w, height: h, data };
}

/** crop is the top-left w x h of img (repeating it if img is smaller). */
function crop(img: Rgba, w: number, h: number): Rgba {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = ((y % img.height) * img.width + (x % img.width)) * 4;
      data.set(img.data.subarray(s, s + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

function grayOf(img: Rgba): Rgba {
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[4 * i + 1];
  return { width: img.width, height: img.height, data };
}

/** planesOf makes 4:2:0 planes in 1/16 units straight from the RGBA bytes (any values will do). */
function planesOf(img: Rgba): YccPlanes {
  const { width: w, height: h, data } = img;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const y = new Uint16Array(w * h), cb = new Uint16Array(cw * ch), cr = new Uint16Array(cw * ch);
  for (let i = 0; i < w * h; i++) y[i] = (data[4 * i + 1] << 4) | (data[4 * i] & 15);
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const o = ((2 * j) * w + 2 * i) * 4;
      cb[j * cw + i] = Math.min(4080, data[o + 2] * 16 + (data[o + 3] & 15));
      cr[j * cw + i] = data[o] * 16;
    }
  }
  return { width: w, height: h, y, cb, cr };
}

function digest(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 16);
}

/** both encodes with the WebAssembly encoder and then with the JavaScript one. */
function both(fn: () => Uint8Array): { wasm: Uint8Array; js: Uint8Array } {
  setWasmEncoder(true);
  const wasm = fn();
  setWasmEncoder(false);
  try {
    return { wasm, js: fn() };
  } finally {
    setWasmEncoder(true);
  }
}

const SIZES: Array<[number, number]> = [[1, 1], [7, 5], [8, 8], [16, 16], [17, 9], [33, 65], [129, 3], [500, 333]];
const QUALITIES = [1, 50, 75, 95, 100];

test('wasmEncoderReady: Node has WebAssembly SIMD, so the encoder runs in WebAssembly', () => {
  assert.equal(wasmEncoderReady(), true, 'wasmEncoderReady() = false, want true');
});

test('encode-bytes.ts is the compiled encode.wat', async () => {
  const wabt = await wabtInit();
  const src = readFileSync(path.join(ROOT, 'lib/codecs/jpegfast/encode.wat'), 'utf8');
  const mod = wabt.parseWat('encode.wat', src, { simd: true });
  mod.validate();
  const want = Buffer.from(mod.toBinary({}).buffer).toString('base64');
  assert.ok(ENCODE_WASM_BASE64 === want, 'ENCODE_WASM_BASE64 differs from a fresh compile of encode.wat: run npm run build:wasm');
});

test('encodeJpegPlanes: WebAssembly and JavaScript write the same bytes', () => {
  const sources = [{ name: 'photo', img: photo() }, { name: 'noise', img: noise(520, 340, 7) }];
  for (const s of sources) {
    for (const [w, h] of SIZES) {
      for (const quality of QUALITIES) {
        const planes = planesOf(crop(s.img, w, h));
        const r = both(() => encodeJpegPlanes(planes, { quality }));
        assert.equal(digest(r.wasm), digest(r.js), `encodeJpegPlanes(${s.name} ${w}x${h}, q${quality}) wasm = ${r.wasm.length} B, want the JavaScript ${r.js.length} B`);
      }
    }
  }
});

test('encodeJpegFast: WebAssembly and JavaScript write the same bytes', () => {
  const sources = [{ name: 'photo', img: photo() }, { name: 'noise', img: noise(200, 120, 3) }];
  const variants: Array<{ name: string; gray: boolean; opts: { subsampling?: '420' | '444'; optimizeHuffman?: boolean } }> = [
    { name: '4:2:0 optimised', gray: false, opts: {} },
    { name: '4:4:4 optimised', gray: false, opts: { subsampling: '444' } },
    { name: '4:2:0 standard tables', gray: false, opts: { optimizeHuffman: false } },
    { name: 'gray', gray: true, opts: {} },
  ];
  for (const s of sources) {
    for (const [w, h] of SIZES.filter(([sw]) => sw < 500)) {
      for (const quality of [1, 75, 100]) {
        for (const v of variants) {
          const img = v.gray ? grayOf(crop(s.img, w, h)) : crop(s.img, w, h);
          const r = both(() => encodeJpegFast(img, { quality, ...v.opts }));
          assert.equal(digest(r.wasm), digest(r.js), `encodeJpegFast(${s.name} ${w}x${h} ${v.name}, q${quality}) wasm = ${r.wasm.length} B, want the JavaScript ${r.js.length} B`);
        }
      }
    }
  }
});

test('encodeJpegPlanes: the WebAssembly encoder gives the same bytes when reused after a large image', () => {
  const small = planesOf(crop(photo(), 40, 30));
  const first = encodeJpegPlanes(small, { quality: 90 });
  encodeJpegPlanes(planesOf(noise(1200, 900, 11)), { quality: 100 });
  const again = encodeJpegPlanes(small, { quality: 90 });
  assert.equal(digest(again), digest(first), `encodeJpegPlanes(40x30) after a large image = ${digest(again)}, want ${digest(first)}`);
});
