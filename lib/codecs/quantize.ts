/**
 * Colour quantization for GIF output: exact palettes when a frame has few enough colours,
 * else median cut over a 15-bit (5 bits per channel) histogram with a 32K-entry lookup table
 * from histogram cell to nearest palette entry.
 */
import { mapIndicesWasm } from './gifwasm/gifwasm.js';

/** Quantized is one frame reduced to a palette: colours as 0xRRGGBB, padded to a power of two. */
export interface Quantized { palette: number[]; indices: Uint8Array; transparent?: number }

/** ALPHA_THRESHOLD: GIF has 1-bit transparency; pixels below half opacity become transparent. */
export const ALPHA_THRESHOLD = 128;

/** EXACT_SLOTS sizes the open-addressed colour set of the exact pass (at most 256 colours, load <= 1/4). */
const EXACT_SLOTS = 1024;

/**
 * quantize maps a frame to at most 256 colours (255 plus a transparent slot when keepAlpha):
 * the exact colours when few enough, else median cut over a 15-bit histogram.
 */
export function quantize(rgba: Uint8Array, keepAlpha: boolean): Quantized {
  const q = quantizeFrames([rgba], { keepAlpha, reserve: false, maxColours: 256 });
  return { palette: q.palette, indices: q.indices[0], transparent: q.transparent };
}

/** SharedQuantized is several frames reduced to one palette (0xRRGGBB, padded to a power of two). */
export interface SharedQuantized {
  palette: number[];
  /** colours is how many palette entries are real colours (the rest is padding and the transparent slot). */
  colours: number;
  indices: Uint8Array[];
  transparent?: number;
  /** exact is true when every colour of the frames is in the palette (no median cut). */
  exact: boolean;
}

/** QuantizeOptions: keepAlpha maps pixels below ALPHA_THRESHOLD to a transparent slot; reserve keeps one anyway. */
export interface QuantizeOptions {
  keepAlpha: boolean;
  reserve: boolean;
  /** maxColours bounds the palette including the transparent slot (2..256); exact palettes may use up to 256. */
  maxColours: number;
  /** cutColours, when set, bounds the median-cut palette instead (a photo needs fewer colours for a smaller file). */
  cutColours?: number;
}

/**
 * quantizeFrames maps frames to one shared palette: their exact colours when few enough, else a
 * median cut over one histogram sampled across all of them, so a colour gets the same index in
 * every frame (what frame differencing needs).
 */
export function quantizeFrames(frames: Uint8Array[], o: QuantizeOptions): SharedQuantized {
  const slot = o.keepAlpha || o.reserve;
  const max = o.maxColours - (slot ? 1 : 0);
  const transparentIndex = slot ? max : -1; // fixed up below once the palette size is known
  const colors: number[] = [];
  const indices = frames.map((f) => new Uint8Array(f.length >> 2));
  const exact = exactPass(frames, o.keepAlpha, max, transparentIndex, indices, colors);
  if (!exact) {
    colors.length = 0;
    const cut = o.cutColours !== undefined ? Math.min(max, o.cutColours - (slot ? 1 : 0)) : max;
    const { lut, nearest } = medianCut(frames, o.keepAlpha, cut, colors);
    const fill = (k: number): number => nearest(((k >> 10) << 3) + 4, (((k >> 5) & 31) << 3) + 4, ((k & 31) << 3) + 4, 0);
    // The WebAssembly twin (gifwasm.ts) maps where it runs; this loop is the JavaScript one.
    if (!mapIndicesWasm(frames, indices, lut, o.keepAlpha, transparentIndex, fill)) frames.forEach((rgba, f) => {
      const idx = indices[f];
      for (let i = 0, p = 0; i < idx.length; i++, p += 4) {
        if (o.keepAlpha && rgba[p + 3] < ALPHA_THRESHOLD) { idx[i] = transparentIndex; continue; }
        const k = ((rgba[p] >> 3) << 10) | ((rgba[p + 1] >> 3) << 5) | (rgba[p + 2] >> 3);
        let v = lut[k];
        // A cell the histogram sample missed takes the entry nearest its centre.
        if (v === UNSET) v = lut[k] = fill(k);
        idx[i] = v;
      }
    });
  }
  const transparent = slot ? colors.length : undefined;
  if (o.keepAlpha && colors.length !== transparentIndex) {
    for (const idx of indices) for (let i = 0; i < idx.length; i++) if (idx[i] === transparentIndex) idx[i] = colors.length;
  }
  let size = 2;
  while (size < colors.length + (slot ? 1 : 0)) size <<= 1;
  const palette = colors.concat(new Array<number>(size - colors.length).fill(0));
  return { palette, colours: colors.length, indices, transparent, exact };
}

/**
 * exactPass indexes every pixel of frames while collecting their colours into colors; it gives
 * up (returns false) at the first colour past max.
 */
function exactPass(frames: Uint8Array[], keepAlpha: boolean, max: number, transparentIndex: number, indices: Uint8Array[], colors: number[]): boolean {
  const slotKey = new Int32Array(EXACT_SLOTS), slotIndex = new Uint8Array(EXACT_SLOTS);
  let lastKey = -1, lastIndex = 0;
  for (let f = 0; f < frames.length; f++) {
    const rgba = frames[f], idx = indices[f], n = idx.length;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      if (keepAlpha && rgba[o + 3] < ALPHA_THRESHOLD) { idx[i] = transparentIndex; continue; }
      const key = ((rgba[o] << 16) | (rgba[o + 1] << 8) | rgba[o + 2]) + 1; // 0 marks an empty slot
      if (key !== lastKey) {
        let h = Math.imul(key, 0x9e3779b1) >>> 22;
        for (;;) {
          const k = slotKey[h];
          if (k === key) { lastIndex = slotIndex[h]; break; }
          if (k === 0) {
            if (colors.length === max) return false;
            slotKey[h] = key;
            slotIndex[h] = lastIndex = colors.length;
            colors.push(key - 1);
            break;
          }
          h = (h + 1) & (EXACT_SLOTS - 1);
        }
        lastKey = key;
      }
      idx[i] = lastIndex;
    }
  }
  return true;
}

/** SAMPLE_TARGET is about how many pixels the histogram looks at: median cut needs the colour
 * distribution, not every pixel, and the histogram pass dominated quantizing large frames. */
export const SAMPLE_TARGET = 65536;

/** UNSET marks a lookup-table cell whose nearest palette entry is not known yet. */
const UNSET = 0xffff;

/**
 * histMemory is the histogram's memory, made on first use and reused by every call (medianCut is
 * synchronous and done with it before it returns): a fresh megabyte per GIF cost more in page
 * faults than clearing this one.
 */
let histMemory: Float64Array | undefined;

/**
 * histogram counts and sums the opaque pixels of about one in step pixels per 15-bit cell:
 * four numbers per cell (count, red, green and blue sums) side by side, and how many it took.
 */
function histogram(frames: Uint8Array[], keepAlpha: boolean, step: number): { hist: Float64Array; sampled: number } {
  const hist = (histMemory ??= new Float64Array(32768 * 4)).fill(0);
  let sampled = 0;
  const span = 2 * step - 1;
  let seed = 0x2545f491;
  for (const rgba of frames) for (let p = 0, n = rgba.length >> 2; p < n; ) {
    const i = p * 4;
    if (!keepAlpha || rgba[i + 3] >= ALPHA_THRESHOLD) {
      const r = rgba[i], g = rgba[i + 1], b = rgba[i + 2];
      const h = (((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)) << 2;
      hist[h]++; hist[h + 1] += r; hist[h + 2] += g; hist[h + 3] += b;
      sampled++;
    }
    if (step === 1) { p++; continue; }
    seed = (Math.imul(seed, 1103515245) + 12345) | 0; // an LCG's high bits give gaps 1..2*step-1, mean step
    p += 1 + ((((seed >>> 16) & 0x7fff) * span) >>> 15);
  }
  return { hist, sampled };
}

/** channel extracts channel c (0 red, 1 green, 2 blue) of a 15-bit key. */
function channel(k: number, c: number): number {
  return (k >> (10 - 5 * c)) & 31;
}

/**
 * medianCut fills colors with at most max box averages and returns the 15-bit key -> index
 * table (UNSET for cells the sample missed) and the nearest-entry search to fill those.
 *
 * The histogram samples about one pixel in step, at jittered gaps so that it cannot lock onto a
 * regular pattern in the image (every row, every third pixel transparent...).
 * Boxes are ranges of one key array, split in place at the population median of their longest
 * axis (a 32-bin count on that axis finds it without sorting).
 */
function medianCut(frames: Uint8Array[], keepAlpha: boolean, max: number, colors: number[]):
  { lut: Uint16Array; nearest: (r: number, g: number, b: number, guess: number) => number } {
  const n = frames.reduce((sum, f) => sum + (f.length >> 2), 0);
  const step = n > SAMPLE_TARGET ? Math.floor(n / SAMPLE_TARGET) : 1;
  let { hist, sampled } = histogram(frames, keepAlpha, step);
  // A sample that saw no opaque pixel (a frame mostly transparent) cannot choose colours.
  if (sampled === 0 && step > 1) ({ hist, sampled } = histogram(frames, keepAlpha, 1));
  let nk = 0;
  for (let k = 0; k < 32768; k++) if (hist[k << 2] > 0) nk++;
  const keys = new Int32Array(nk);
  for (let k = 0, j = 0; k < 32768; k++) if (hist[k << 2] > 0) keys[j++] = k;

  // Box i covers keys[lo[i], hi[i]); axis is its longest channel, range that channel's extent.
  const lo: number[] = [], hi: number[] = [], pop: number[] = [], range: number[] = [], axis: number[] = [];
  const setBox = (i: number, a: number, b: number): void => {
    let p = 0;
    let r0 = 31, r1 = 0, g0 = 31, g1 = 0, b0 = 31, b1 = 0;
    for (let j = a; j < b; j++) {
      const k = keys[j];
      p += hist[k << 2];
      const r = k >> 10, g = (k >> 5) & 31, bl = k & 31;
      if (r < r0) r0 = r; if (r > r1) r1 = r;
      if (g < g0) g0 = g; if (g > g1) g1 = g;
      if (bl < b0) b0 = bl; if (bl > b1) b1 = bl;
    }
    let ax = 0, rg = r1 - r0;
    if (g1 - g0 > rg) { ax = 1; rg = g1 - g0; }
    if (b1 - b0 > rg) { ax = 2; rg = b1 - b0; }
    lo[i] = a; hi[i] = b; pop[i] = p; range[i] = rg; axis[i] = ax;
  };
  if (nk > 0) setBox(0, 0, nk);
  const bins = new Float64Array(32);
  while (lo.length < max) {
    let best = -1, bestScore = 0;
    for (let i = 0; i < lo.length; i++) {
      // A box of distinct keys with zero range on every axis holds one key and cannot split.
      const s = range[i] > 0 ? pop[i] * (range[i] + 1) : 0;
      if (s > bestScore) { bestScore = s; best = i; }
    }
    if (best < 0) break;
    const a = lo[best], b = hi[best], ax = axis[best];
    bins.fill(0);
    let vMin = 31, vMax = 0;
    for (let j = a; j < b; j++) {
      const v = channel(keys[j], ax);
      bins[v] += hist[keys[j] << 2];
      if (v < vMin) vMin = v; if (v > vMax) vMax = v;
    }
    // Cut after the value where the running population reaches half, keeping both sides non-empty.
    let cut = vMin, acc = bins[vMin];
    while (cut < vMax - 1 && acc < pop[best] / 2) acc += bins[++cut];
    let m = a;
    for (let j = a; j < b; j++) {
      if (channel(keys[j], ax) <= cut) { const t = keys[m]; keys[m] = keys[j]; keys[j] = t; m++; }
    }
    setBox(best, a, m);
    setBox(lo.length, m, b);
  }

  // Palette: box means. The lookup table starts with each sampled cell's own box as its guess.
  const nb = lo.length;
  const pr = new Float64Array(nb), pg = new Float64Array(nb), pb = new Float64Array(nb);
  const lut = new Uint16Array(32768).fill(UNSET);
  for (let i = 0; i < nb; i++) {
    let r = 0, g = 0, b = 0;
    for (let j = lo[i]; j < hi[i]; j++) { const h = keys[j] << 2; r += hist[h + 1]; g += hist[h + 2]; b += hist[h + 3]; lut[keys[j]] = i; }
    pr[i] = Math.round(r / pop[i]); pg[i] = Math.round(g / pop[i]); pb[i] = Math.round(b / pop[i]);
    colors.push((pr[i] << 16) | (pg[i] << 8) | pb[i]);
  }
  // Nearest entry: entries sorted by green, searched outward from the colour's green and cut
  // off once the green gap alone exceeds the best distance so far.
  const order = Array.from({ length: nb }, (_, i) => i).sort((x, y) => pg[x] - pg[y]);
  const og = new Float64Array(nb), or = new Float64Array(nb), ob = new Float64Array(nb), oi = new Uint8Array(nb);
  for (let j = 0; j < nb; j++) { const i = order[j]; og[j] = pg[i]; or[j] = pr[i]; ob[j] = pb[i]; oi[j] = i; }
  const nearest = (r: number, g: number, b: number, guess: number): number => {
    let bi = guess;
    let bd = (pr[bi] - r) ** 2 + (pg[bi] - g) ** 2 + (pb[bi] - b) ** 2;
    let l = 0, h = nb; // binary search for the first entry with green >= g
    while (l < h) { const mid = (l + h) >> 1; if (og[mid] < g) l = mid + 1; else h = mid; }
    for (let u = l, d = l - 1; u < nb || d >= 0; ) {
      if (u < nb) {
        const dg = og[u] - g;
        if (dg * dg >= bd) u = nb;
        else {
          const dist = dg * dg + (or[u] - r) ** 2 + (ob[u] - b) ** 2;
          if (dist < bd) { bd = dist; bi = oi[u]; }
          u++;
        }
      }
      if (d >= 0) {
        const dg = g - og[d];
        if (dg * dg >= bd) d = -1;
        else {
          const dist = dg * dg + (or[d] - r) ** 2 + (ob[d] - b) ** 2;
          if (dist < bd) { bd = dist; bi = oi[d]; }
          d--;
        }
      }
    }
    return bi;
  };
  // Each sampled cell maps by its mean colour, which is closer to its pixels than the cell centre.
  for (let j = 0; j < nk; j++) {
    const h = keys[j] << 2, c = hist[h];
    lut[keys[j]] = nearest(hist[h + 1] / c, hist[h + 2] / c, hist[h + 3] / c, lut[keys[j]]);
  }
  return { lut, nearest };
}
