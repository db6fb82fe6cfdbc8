/**
 * The colour step of the JPEG YCbCr path in WebAssembly (ycc.wat): matrixYcc's loop over the
 * blocks of whole row pairs, four blocks at a time with SIMD, reading the same tables. The
 * planes are copied into the module's memory and back (a small part of the work); the tables
 * stay there while the same converter's ones are asked for again, as they are for every photo
 * of a site whose camera or phone embeds one profile.
 */
import { EmbeddedModule, Layout, type WasmMemory } from '../../transform/wasm/runtime.js';
import type { YccPlanes } from '../../codecs/jpegfast/encoder.js';
import { YCC_WASM_BASE64 } from './ycc-bytes.js';

interface Exports {
  memory: WasmMemory;
  convert(y: number, cb: number, cr: number, ystride: number, cstride: number, groups: number, pairs: number, k: number, scratch: number): void;
}

/** YccWasmTables are what the module reads: lib/color/ycc.ts's tables for one converter. */
export interface YccWasmTables {
  /** Per channel (entries may be the same table): linear light by 1/16-unit R'G'B' plus pad. */
  lin: Float32Array[];
  /** The matrix, scaled to the output table's index. */
  m: Float64Array;
  /** The output table: linear (scaled, from its zero) to sRGB in 1/16 units. */
  out: Uint16Array;
  /** The output table's zero plus a rounding half: what each dot product adds before truncation. */
  off: number;
  /** How far the linear tables extend past 0..4080 on each side, times 65536, plus 32768 (a rounding half). */
  padQ: number;
}

/**
 * YCC_WASM_KEEP_BYTES: an instance whose memory grew past this (a very large output) is dropped
 * after use, so that one big image does not pin its memory for the life of the worker.
 */
export const YCC_WASM_KEEP_BYTES = 32 * 1024 * 1024;

/** BLOCKS_PER_GROUP is how many 2x2 blocks the module converts at a time (one per SIMD lane). */
export const BLOCKS_PER_GROUP = 4;

/** K_BYTES is the size of the module's constant block: 14 vectors (convert in ycc.wat). */
const K_BYTES = 14 * 16;
/** SCRATCH_BYTES is the module's scratch space: four luma vectors. */
const SCRATCH_BYTES = 64;

const MODULE = new EmbeddedModule<Exports>('colour-ycc', YCC_WASM_BASE64, YCC_WASM_KEEP_BYTES);

/** loaded remembers which tables each live instance holds, so that a repeated converter costs no copy. */
const loaded = new WeakMap<object, YccWasmTables>();

/**
 * setWasmColour turns the WebAssembly colour loop on or off (on by default where the runtime has
 * WebAssembly with SIMD); tests turn it off to run the JavaScript twin.
 */
export function setWasmColour(on: boolean): void {
  MODULE.setEnabled(on);
}

/** wasmColourReady reports whether convertYccWasm runs (the module is enabled and compiles here). */
export function wasmColourReady(): boolean {
  return MODULE.ready();
}

/**
 * convertYccWasm converts, in place, the first blocks of every whole row pair of img through
 * tables t: as many as fill groups of BLOCKS_PER_GROUP. It returns how many blocks per row pair
 * it converted (the caller converts the rest, and any odd edge, in JavaScript); 0 when the
 * module is not ready or there is no whole group.
 */
export function convertYccWasm(t: YccWasmTables, img: YccPlanes): number {
  const { width: w, height: h } = img;
  const groups = Math.floor((w >> 1) / BLOCKS_PER_GROUP), pairs = h >> 1;
  if (!MODULE.ready() || groups === 0 || pairs === 0) return 0;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const tables = [...new Set(t.lin)];
  const lay = new Layout();
  const pK = lay.take(K_BYTES), pScratch = lay.take(SCRATCH_BYTES), pOut = lay.take(t.out.length * 2);
  const pLin = tables.map((l) => lay.take(l.length * 4));
  // A group reads and writes exactly its own samples (8 luma of each row, 4 of each chroma plane).
  const pY = lay.take(w * h * 2), pCb = lay.take(cw * ch * 2), pCr = lay.take(cw * ch * 2);
  return MODULE.call(lay.size, (ex) => {
    const buf = ex.memory.buffer;
    if (loaded.get(ex) !== t) {
      new Uint16Array(buf, pOut, t.out.length).set(t.out);
      tables.forEach((l, i) => new Float32Array(buf, pLin[i], l.length).set(l));
      const f = new Float32Array(buf, pK, 10 * 4), a = new Int32Array(buf, pK + 10 * 16, 4 * 4);
      // The module rounds to nearest where the JavaScript adds a half and truncates.
      [...t.m, t.off - 0.5 + pOut / 2].forEach((v, i) => f.fill(v, 4 * i, 4 * i + 4));
      [t.padQ, ...t.lin.map((l) => pLin[tables.indexOf(l)] / 4)].forEach((v, i) => a.fill(v, 4 * i, 4 * i + 4));
      loaded.set(ex, t);
    }
    const y = new Uint16Array(buf, pY, w * h), cb = new Uint16Array(buf, pCb, cw * ch), cr = new Uint16Array(buf, pCr, cw * ch);
    y.set(img.y.subarray(0, w * h)); cb.set(img.cb.subarray(0, cw * ch)); cr.set(img.cr.subarray(0, cw * ch));
    ex.convert(pY, pCb, pCr, w, cw, groups, pairs, pK, pScratch);
    img.y.set(y); img.cb.set(cb); img.cr.set(cr);
    return groups * BLOCKS_PER_GROUP;
  });
}
