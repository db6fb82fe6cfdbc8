/**
 * The JPEG encoder's block work in WebAssembly (encode.wat): forward DCT, quantisation and
 * zig-zag of 4:2:0 planes, and the Huffman symbol counts and bit writing of quantized blocks.
 * It is the twin of encoder.ts's JavaScript path and writes the very same bytes; where
 * WebAssembly (with SIMD) is missing that path runs instead.
 */
import { EmbeddedModule, Layout, type WasmMemory } from '../../transform/wasm/runtime.js';
import { ENCODE_WASM_BASE64 } from './encode-bytes.js';
import type { BitWriter, EncTable } from './huffenc.js';
import { ZIGZAG } from './tables.js';

interface EncodeExports {
  memory: WasmMemory;
  planes(y: number, ys: number, cb: number, cr: number, cs: number, mx: number, my: number,
    divY: number, divC: number, zz: number, t: number, q: number, coefs: number): void;
  masks(coefs: number, n: number, masks: number): void;
  begin(out: number): void;
  count(coefs: number, masks: number, comp: number, nb: number, from: number, to: number, freq: number): void;
  emit(coefs: number, masks: number, comp: number, nb: number, from: number, to: number, tabs: number): number;
  restart(out: number): void;
  finish(): number;
}

/** ENC_KEEP_BYTES: an instance whose memory grew past this (an output over ~4000x4000) is dropped after its encode. */
const ENC_KEEP_BYTES = 32 << 20;
/** STATE_BYTES is the bottom of the module's memory, where it keeps the DC predictors. */
const STATE_BYTES = 256;
/** EMIT_CHUNK_BLOCKS is how many blocks one emit call writes before the bytes are copied out. */
const EMIT_CHUNK_BLOCKS = 1536;
/** EMIT_BLOCK_BYTES bounds what one block can add: 64 codes of at most 27 bits, each byte possibly stuffed. */
const EMIT_BLOCK_BYTES = 512;

const encoder = new EmbeddedModule<EncodeExports>('jpegenc', ENCODE_WASM_BASE64, ENC_KEEP_BYTES);

/**
 * setWasmEncoder turns the WebAssembly encoder on or off (on by default where the runtime has
 * WebAssembly with SIMD); tests turn it off to run the JavaScript twin.
 */
export function setWasmEncoder(on: boolean): void {
  encoder.setEnabled(on);
}

/** wasmEncoderReady reports whether encodes go to the WebAssembly encoder. */
export function wasmEncoderReady(): boolean {
  return encoder.ready();
}

/** Entropy is one image's quantized blocks, ready to be counted and written. */
export interface Entropy {
  /** counts returns the DC and AC symbol counts per table class (0 luma, 1 chroma). */
  counts(): { dc: Uint32Array[]; ac: Uint32Array[] };
  /** emit writes the entropy-coded data with the given DC and AC tables, padded to a byte. */
  emit(bw: BitWriter, dcT: EncTable[], acT: EncTable[]): void;
}

/** Planes420 is a 4:2:0 image's planes (samples in 1/16 units), as encoder.ts's YccPlanes. */
interface Planes420 {
  width: number;
  height: number;
  y: Uint16Array;
  cb: Uint16Array;
  cr: Uint16Array;
}

/** natural reorders zig-zag divisors into natural order. */
function natural(div: Float64Array): Float64Array {
  const out = new Float64Array(64);
  for (let k = 0; k < 64; k++) out[ZIGZAG[k]] = div[k];
  return out;
}

/** padInto copies a w x h plane into a pw x ph one at `at`, repeating its last column and row. */
function padInto(mem: ArrayBuffer, at: number, src: Uint16Array, w: number, h: number, pw: number, ph: number): void {
  const dst = new Uint16Array(mem, at, pw * ph);
  for (let y = 0; y < h; y++) {
    const row = y * pw;
    dst.set(src.subarray(y * w, y * w + w), row);
    if (pw > w) dst.fill(src[y * w + w - 1], row + w, row + pw);
  }
  for (let y = h; y < ph; y++) dst.copyWithin(y * pw, (h - 1) * pw, h * pw);
}

/** Regions are where one encode's blocks live in the module's memory. */
interface Regions {
  coefs: number;
  masks: number;
  comp: number;
  freq: number;
  tabs: number;
  out: number;
  blocks: number;
  compOf: number[];
}

function regions(lay: Layout, blocks: number, compOf: number[]): Regions {
  return {
    coefs: lay.take(blocks * 128), masks: lay.take(blocks * 8), comp: lay.take(compOf.length),
    freq: lay.take(4096), tabs: lay.take(4096), out: lay.take(EMIT_CHUNK_BLOCKS * EMIT_BLOCK_BYTES), blocks, compOf,
  };
}

/** entropyOf is the Entropy of the blocks at r in the module's memory (valid inside one call). */
function entropyOf(ex: EncodeExports, r: Regions): Entropy {
  const nb = r.compOf.length;
  new Uint8Array(ex.memory.buffer, r.comp, nb).set(r.compOf);
  ex.masks(r.coefs, r.blocks, r.masks);
  return {
    counts() {
      new Uint32Array(ex.memory.buffer, r.freq, 1024).fill(0);
      ex.begin(r.out);
      ex.count(r.coefs, r.masks, r.comp, nb, 0, r.blocks, r.freq);
      const f = (i: number): Uint32Array => new Uint32Array(ex.memory.buffer, r.freq + i * 1024, 256).slice();
      return { dc: [f(0), f(1)], ac: [f(2), f(3)] };
    },
    emit(bw, dcT, acT) {
      const tabs = new Uint32Array(ex.memory.buffer, r.tabs, 1024);
      [dcT[0], dcT[1], acT[0], acT[1]].forEach((t, i) => {
        for (let s = 0; s < 256; s++) tabs[i * 256 + s] = t.code[s] | (t.size[s] << 16);
      });
      ex.begin(r.out);
      const take = (end: number): void => {
        bw.append(new Uint8Array(ex.memory.buffer, r.out, end - r.out));
        ex.restart(r.out);
      };
      for (let from = 0; from < r.blocks; from += EMIT_CHUNK_BLOCKS) {
        take(ex.emit(r.coefs, r.masks, r.comp, nb, from, Math.min(r.blocks, from + EMIT_CHUNK_BLOCKS), r.tabs));
      }
      take(ex.finish());
    },
  };
}

/**
 * withPlanesWasm transforms 4:2:0 planes to quantized blocks in the module (divisors in zig-zag
 * order, as encoder.ts makes them) and returns what write makes of their Entropy. The module
 * must be ready (wasmEncoderReady).
 */
export function withPlanesWasm<T>(img: Planes420, divY: Float64Array, divC: Float64Array, write: (e: Entropy) => T): T {
  const { width: w, height: h } = img;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const mx = Math.ceil(w / 16), my = Math.ceil(h / 16);
  const pw = mx * 16, ph = my * 16, cpw = mx * 8, cph = my * 8;
  const lay = new Layout();
  lay.take(STATE_BYTES);
  const py = lay.take(pw * ph * 2), pcb = lay.take(cpw * cph * 2), pcr = lay.take(cpw * cph * 2);
  const pdy = lay.take(512), pdc = lay.take(512), pzz = lay.take(256), pt = lay.take(512), pq = lay.take(128);
  const r = regions(lay, mx * my * 6, [0, 0, 0, 0, 1, 2]);
  return encoder.call(lay.size, (ex) => {
    const mem = ex.memory.buffer;
    padInto(mem, py, img.y, w, h, pw, ph);
    padInto(mem, pcb, img.cb, cw, ch, cpw, cph);
    padInto(mem, pcr, img.cr, cw, ch, cpw, cph);
    new Float64Array(mem, pdy, 64).set(natural(divY));
    new Float64Array(mem, pdc, 64).set(natural(divC));
    const zz = new Int32Array(mem, pzz, 64);
    for (let k = 0; k < 64; k++) zz[k] = ZIGZAG[k] * 2;
    ex.planes(py, pw * 2, pcb, pcr, cpw * 2, mx, my, pdy, pdc, pzz, pt, pq, r.coefs);
    return write(entropyOf(ex, r));
  });
}

/**
 * withCoefsWasm copies quantized zig-zag blocks (compOf: the component of each block of an
 * MCU) into the module and returns what write makes of their Entropy. The module must be ready.
 */
export function withCoefsWasm<T>(coefs: Int16Array, compOf: number[], write: (e: Entropy) => T): T {
  const lay = new Layout();
  lay.take(STATE_BYTES);
  const r = regions(lay, coefs.length >> 6, compOf);
  return encoder.call(lay.size, (ex) => {
    new Int16Array(ex.memory.buffer, r.coefs, coefs.length).set(coefs);
    return write(entropyOf(ex, r));
  });
}
