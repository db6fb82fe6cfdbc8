/**
 * Micro-benchmark of the pure-TypeScript JPEG fast paths against jpeg-js.
 *
 * Usage: `node dist/bench/jpegfast.js [photo1024.jpg] [photo4000.jpg]` (defaults: bench/images/).
 * Prints the median wall and CPU time of several runs for: decode 1024x683 at 1/1 and 1/2, decode
 * 4000x2667 at 1/8 and 1/1, jpeg-js decode of both, and encode of a 500x333 image at q95.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { decodeJpegFast } from '../lib/codecs/jpegfast/decoder.js';
import { encodeJpegFast, encodeJpegPlanes, type YccPlanes } from '../lib/codecs/jpegfast/encoder.js';
import { setWasmEncoder } from '../lib/codecs/jpegfast/encwasm.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const small = process.argv[2] ?? path.join(root, 'bench', 'images', 'photo1024.jpg');
const large = process.argv[3] ?? path.join(root, 'bench', 'images', 'photo4000.jpg');

/**
 * measure prints the median wall time and the median CPU time of runs calls. On a shared machine
 * the CPU time (user + system of this process) is the steadier number.
 */
function measure(name: string, runs: number, fn: () => unknown): void {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const med = (xs: number[]): string => xs.sort((a, b) => a - b)[xs.length >> 1].toFixed(1).padStart(7);
  console.log(`${name.padEnd(40)} wall median ${med(wall)} ms   cpu median ${med(cpu)} ms   (${runs} runs)`);
}

/** resizeBox shrinks an RGBA image by averaging, to make the encoder's input. */
function resizeBox(src: { width: number; height: number; data: Uint8Array }, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * src.height) / h), y1 = Math.max(y0 + 1, Math.floor(((y + 1) * src.height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * src.width) / w), x1 = Math.max(x0 + 1, Math.floor(((x + 1) * src.width) / w));
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += src.data[(yy * src.width + xx) * 4 + c];
        out[(y * w + x) * 4 + c] = Math.round(s / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return out;
}

/** planesOf converts RGBA to 4:2:0 planes in 1/16 units (chroma from each 2x2 block's top-left). */
function planesOf(img: { width: number; height: number; data: Uint8Array }): YccPlanes {
  const { width: w, height: h, data } = img;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const y = new Uint16Array(w * h), cb = new Uint16Array(cw * ch), cr = new Uint16Array(cw * ch);
  for (let i = 0; i < w * h; i++) y[i] = Math.round(16 * (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]));
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const o = (2 * j * w + 2 * i) * 4;
      const r = data[o], g = data[o + 1], b = data[o + 2];
      cb[j * cw + i] = Math.round(16 * (128 - 0.168735892 * r - 0.331264108 * g + 0.5 * b));
      cr[j * cw + i] = Math.round(16 * (128 + 0.5 * r - 0.418687589 * g - 0.081312411 * b));
    }
  }
  return { width: w, height: h, y, cb, cr };
}

const maxPixels = 50_000_000;
if (existsSync(small)) {
  const b = new Uint8Array(readFileSync(small));
  measure('fast decode 1024x683 @1/1', 25, () => decodeJpegFast(b, { scale: 1, maxPixels }));
  measure('fast decode 1024x683 @1/2', 25, () => decodeJpegFast(b, { scale: 2, maxPixels }));
  measure('fast decode 1024x683 @1/8', 25, () => decodeJpegFast(b, { scale: 8, maxPixels }));
  measure('jpeg-js decode 1024x683', 9, () => jpeg.decode(b, { useTArray: true, formatAsRGBA: true }));
  const full = decodeJpegFast(b, { scale: 1, maxPixels })!;
  const enc = { width: 500, height: 333, data: resizeBox(full, 500, 333) };
  const planes = planesOf(enc);
  for (const wasm of [false, true]) {
    setWasmEncoder(wasm);
    const tag = wasm ? 'wasm' : 'js';
    measure(`fast encode planes 500x333 q95 (${tag})`, 41, () => encodeJpegPlanes(planes, { quality: 95 }));
    measure(`fast encode 500x333 q95 4:2:0 opt (${tag})`, 25, () => encodeJpegFast(enc, { quality: 95 }));
  }
  measure('fast encode 500x333 q95 4:2:0 std tables', 25, () => encodeJpegFast(enc, { quality: 95, optimizeHuffman: false }));
  measure('jpeg-js encode 500x333 q95 4:4:4', 9, () => jpeg.encode({ ...enc, data: Buffer.from(enc.data) }, 95));
  console.log(`sizes at q95: fast 4:2:0 optimized ${encodeJpegFast(enc, { quality: 95 }).length} B, ` +
    `fast 4:2:0 std ${encodeJpegFast(enc, { quality: 95, optimizeHuffman: false }).length} B, ` +
    `jpeg-js 4:4:4 ${jpeg.encode({ ...enc, data: Buffer.from(enc.data) }, 95).data.length} B`);
} else {
  console.log(`missing ${small}`);
}
if (existsSync(large)) {
  const b = new Uint8Array(readFileSync(large));
  measure('fast decode 4000x2667 @1/8', 15, () => decodeJpegFast(b, { scale: 8, maxPixels }));
  measure('fast decode 4000x2667 @1/4', 9, () => decodeJpegFast(b, { scale: 4, maxPixels }));
  measure('fast decode 4000x2667 @1/1', 5, () => decodeJpegFast(b, { scale: 1, maxPixels }));
  measure('jpeg-js decode 4000x2667', 3, () => jpeg.decode(b, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 }));
} else {
  console.log(`missing ${large}`);
}
