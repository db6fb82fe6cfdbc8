/**
 * Baseline JPEG entropy decoding in WebAssembly (huffman.wat): the module decodes one row of MCUs
 * at a time. A component whose blocks are square (every one but 4:2:2-style chroma decoded at a
 * scale that undoes its subsampling on one axis only) is also transformed there, into a plane in
 * the module's memory that is copied out once at the end of the scan, so its coefficients never
 * leave WebAssembly; the other components come out as a stream of dequantized coefficients that is
 * stored (inverse DCT into the planes) here in JavaScript. It is the twin of scan.ts's JavaScript
 * path and gives the very same planes, errors and end position; where WebAssembly is missing that
 * path runs instead.
 */
import { UnprocessableImageError } from '../../errors.js';
import { EmbeddedModule, Layout, type WasmMemory } from '../../transform/wasm/runtime.js';
import { HUFFMAN_WASM_BASE64 } from './huffman-bytes.js';
import type { HuffTable } from './bitreader.js';
import type { Component, Frame } from './scan.js';
import { blk, nz, storeBlock } from './store.js';
import { ZIGZAG } from './tables.js';
import { IDCT_WASM_CONSTS } from './idct.js';

interface HuffmanExports {
  memory: WasmMemory;
  start(tabs: number, comps: number, zz: number, mcu: number, nb: number, data: number, len: number, pos: number, ri: number): void;
  store(mcuOff: number, perRow: number, scratch: number, blk: number, ws: number, fws: number, acc: number, kc: number): void;
  run(count: number, out: number): number;
  pos(): number;
  cnt(): number;
  fake(): number;
}

/** HUFF_KEEP_BYTES: an instance whose memory grew past this (a file over ~14 MB) is dropped after its decode. */
const HUFF_KEEP_BYTES = 16 << 20;
/** MAX_FAKE_BYTES is how many zero bytes past the data a scan may consume before it counts as truncated (as scan.ts). */
const MAX_FAKE_BYTES = 16;
/** SLOT is the bytes of one Huffman table in the module's memory (see huffman.wat, written for LOOKAHEAD 10). */
const SLOT = 6592;
/** COMP is the bytes of one scan component's record in the module's memory. */
const COMP = 384;
/** BLOCK_OUT_MAX is the most output one block takes: DC, count and 63 (position, value) pairs. */
const BLOCK_OUT_MAX = 8 + 63 * 8;

const huffman = new EmbeddedModule<HuffmanExports>('huffman', HUFFMAN_WASM_BASE64, HUFF_KEEP_BYTES);
let wasmStore = true;

/**
 * setWasmStore turns the in-module inverse DCT and block storing on or off (on by default); off,
 * every block goes through the coefficient stream to store.ts, which tests and the bench compare.
 */
export function setWasmStore(on: boolean): void {
  wasmStore = on;
}

/**
 * setWasmEntropy turns the WebAssembly entropy decoder on or off (on by default where the runtime
 * has WebAssembly); tests turn it off to run the JavaScript twin.
 */
export function setWasmEntropy(on: boolean): void {
  huffman.setEnabled(on);
}

/** wasmEntropyReady reports whether baseline scans go to the WebAssembly decoder. */
export function wasmEntropyReady(): boolean {
  return huffman.ready();
}

function corrupt(): UnprocessableImageError {
  return new UnprocessableImageError('The JPEG image has corrupt entropy-coded data.');
}

function truncated(): UnprocessableImageError {
  return new UnprocessableImageError('The JPEG image is truncated.');
}

function putTable(mem: ArrayBuffer, at: number, t: HuffTable): void {
  new Uint16Array(mem, at, 1024).set(t.look);
  new Int32Array(mem, at + 2048, 1024).set(t.fastAC);
  new Int32Array(mem, at + 6144, 18).set(t.maxcode);
  new Int32Array(mem, at + 6216, 18).set(t.valoff);
  new Uint8Array(mem, at + 6288, 256).set(t.values.subarray(0, 256));
  new Int32Array(mem, at + 6544, 1)[0] = t.values.length;
}

/**
 * decodeBaselineWasm decodes a baseline scan whose entropy-coded data starts at b[pos], for the
 * scan's components sc (tables and quantizers already set), storing every block into its plane.
 * It returns the offset just after the scan's data, or -1 when the caller should fall back.
 */
export function decodeBaselineWasm(b: Uint8Array, pos: number, f: Frame, sc: Component[], ri: number): number {
  const single = sc.length === 1;
  const mcu: number[] = [];
  const mcuOff: number[] = [];
  if (single) {
    mcu.push(0);
    mcuOff.push(0);
  } else {
    sc.forEach((c, i) => {
      for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) {
        mcu.push(i);
        mcuOff.push(v * c.bsy * c.stride + h * c.bsx);
      }
    });
  }
  // Square blocks are transformed in the module; a scan that covers only part of a plane (one
  // component of several, whose plane has MCU padding) starts from the plane as it is.
  const inWasm = sc.map((c) => wasmStore && c.bsx === c.bsy);
  const streamed = inWasm.some((w) => !w);
  const full = !single || f.comps.length === 1;
  const perRow = single ? sc[0].bw : f.mcusX;
  const total = single ? sc[0].bw * sc[0].bh : f.mcusX * f.mcusY;
  const lay = new Layout();
  const tabs = lay.take(8 * SLOT), comps = lay.take(4 * COMP), zz = lay.take(80 * 4), mcuAt = lay.take(mcu.length * 4);
  const offAt = lay.take(mcu.length * 4), scratch = lay.take(BLOCK_OUT_MAX), blkAt = lay.take(64 * 4), wsAt = lay.take(64 * 4);
  const fwsAt = lay.take(64 * 8), accAt = lay.take(16 * 8), kc = lay.take(IDCT_WASM_CONSTS.length * 8);
  const planeAt = sc.map((c, i) => (inWasm[i] ? lay.take(c.plane.length) : 0));
  const out = lay.take(streamed ? perRow * mcu.length * BLOCK_OUT_MAX : 0);
  const data = lay.take(b.length);
  return huffman.call(lay.size, (ex) => {
    const mem = ex.memory.buffer;
    sc.forEach((c, i) => {
      putTable(mem, tabs + i * SLOT, c.dc!);
      putTable(mem, tabs + (4 + i) * SLOT, c.ac!);
      const rec = new Int32Array(mem, comps + i * COMP, COMP / 4);
      rec.set(c.qz);
      rec[82] = c.bsx === 1 && c.bsy === 1 ? 1 : 0;
      rec[84] = inWasm[i] ? 1 : 0;
      rec[85] = planeAt[i];
      rec[86] = (single ? 1 : c.v) * c.bsy * c.stride;
      rec[87] = c.stride;
      rec[88] = c.bsx;
      rec[89] = (single ? 1 : c.h) * c.bsx;
      if (inWasm[i] && !full) new Uint8Array(mem, planeAt[i], c.plane.length).set(c.plane);
    });
    new Int32Array(mem, zz, 80).set(ZIGZAG);
    new Int32Array(mem, mcuAt, mcu.length).set(mcu);
    new Int32Array(mem, offAt, mcu.length).set(mcuOff);
    new Int32Array(mem, blkAt, 64).fill(0);
    new Float64Array(mem, kc, IDCT_WASM_CONSTS.length).set(IDCT_WASM_CONSTS);
    new Uint8Array(mem, data, b.length).set(b);
    ex.start(tabs, comps, zz, mcuAt, mcu.length, data, b.length, pos, ri);
    ex.store(offAt, perRow, scratch, blkAt, wsAt, fwsAt, accAt, kc);
    const o32 = new Int32Array(mem);
    for (let m = 0; m < total; m += perRow) {
      const count = Math.min(perRow, total - m);
      let done: number;
      try {
        done = ex.run(count, out);
      } catch {
        throw corrupt();
      }
      if (streamed) storeRun(o32, out >> 2, f, sc, inWasm, m, done);
      if (done < count || ex.fake() > MAX_FAKE_BYTES) {
        if (ex.pos() >= b.length - 1) throw truncated();
        return -1;
      }
    }
    const fake = ex.fake(), cnt = ex.cnt(), end = ex.pos();
    if (fake * 8 > cnt && end >= b.length - 1 && fake * 8 - cnt > 64) throw truncated();
    sc.forEach((c, i) => { if (inWasm[i]) c.plane.set(new Uint8Array(mem, planeAt[i], c.plane.length)); });
    return end;
  });
}

/** storeRun stores the streamed blocks (components not inWasm) of MCUs m0 .. m0+count-1 from the output stream at o32[q]. */
function storeRun(o32: Int32Array, q: number, f: Frame, sc: Component[], inWasm: boolean[], m0: number, count: number): void {
  for (let m = m0; m < m0 + count; m++) {
    if (sc.length === 1) {
      const c = sc[0];
      const row = (m / c.bw) | 0;
      q = storeOne(o32, q, c, row, m - row * c.bw);
      continue;
    }
    const my = (m / f.mcusX) | 0;
    const mx = m - my * f.mcusX;
    for (let i = 0; i < sc.length; i++) {
      if (inWasm[i]) continue;
      const c = sc[i];
      for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) q = storeOne(o32, q, c, my * c.v + v, mx * c.h + h);
    }
  }
}

/** storeOne loads one block from the stream into blk, stores it and clears blk again. */
function storeOne(o32: Int32Array, q: number, c: Component, row: number, col: number): number {
  blk[0] = o32[q];
  const n = o32[q + 1];
  q += 2;
  for (let i = 0; i < n; i++, q += 2) {
    const z = o32[q];
    blk[z] = o32[q + 1];
    nz[i] = z;
  }
  if (row < c.bhp && col < c.bwp) storeBlock(c, row, col, n);
  for (let i = 0; i < n; i++) blk[nz[i]] = 0;
  blk[0] = 0;
  return q;
}
