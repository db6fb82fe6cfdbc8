/**
 * Tests of the YCbCr fast path: step shapes it takes, chroma geometry, paired chroma taps, and
 * its planes against the RGB path's result on a corpus of JPEG layouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../../helpers/paths.js';
import { parseOptions } from '../../../lib/request/options.js';
import { decodeJpegToPlanes, bitmapOfPlanes } from '../../../lib/codecs/jpeg.js';
import { YCC_FRACTION_BITS } from '../../../lib/codecs/jpegfast/encoder.js';
import { planFor, scaleSteps, stepsFor, type ResizeStep, type Size } from '../../../lib/transform/geometry.js';
import { applySteps } from '../../../lib/transform/ops.js';
import { chromaCut, cutsFor, isPlanarYcc, mapCut, pairWeights, resamplePlanes, type AxisCut } from '../../../lib/transform/planar.js';
import { exifOrientation, then, turn, type Dihedral } from '../../../lib/transform/dihedral.js';
import { flipH, flipV, orient, rotate } from '../../../lib/transform/ops.js';
import { orientedSize } from '../../../lib/transform/geometry.js';
import { precomputeWeights } from '../../../lib/transform/resample.js';

// JPEG fixtures made with cjpeg from imaging's branches.jpg (MIT); see fixtures/SOURCES.md.
const JPEG_DIR = path.join(FIXTURES, 'jpeg');
/** PHOTO is the 600x400 photo, baseline 4:2:0 q85. */
const PHOTO = 'photo-420.jpg';
/** PHOTO_PROG is the 600x400 photo, progressive 4:2:0. */
const PHOTO_PROG = 'photo-prog.jpg';
/** The 157x103 crop at each chroma layout, with restart markers, and progressive 4:4:4. */
const S420 = 's420.jpg', S422 = 's422.jpg', S440 = 's440.jpg', S444 = 's444.jpg', S411 = 's411.jpg';
const RESTART = 'restart-420.jpg', PROG444 = 'prog-444.jpg';
/** ODD is a 37x23 4:2:0 image: every MCU row and column is partial. */
const ODD = 'odd-37x23.jpg';
/** GRAY, CMYK and RGB are layouts the fast path leaves to the RGB path. */
const GRAY = 'gray.jpg', CMYK = 'cmyk.jpg', RGB = 'rgb.jpg';

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(JPEG_DIR, name)));

const resizeTo = (width: number, height: number): ResizeStep => ({ kind: 'resize', width, height });

test('cutsFor takes one resample, optionally after a crop, and nothing else', () => {
  const crop: ResizeStep = { kind: 'crop', rect: { x0: 3, y0: 4, x1: 13, y1: 24 } };
  const cases: Array<{ name: string; steps: ResizeStep[]; want: { x: AxisCut; y: AxisCut } | undefined }> = [
    { name: 'no steps', steps: [], want: undefined },
    { name: 'crop only', steps: [crop], want: undefined },
    { name: 'resize, then crop', steps: [resizeTo(5, 5), crop], want: undefined },
    { name: 'two resizes', steps: [resizeTo(5, 5), resizeTo(3, 3)], want: undefined },
    {
      name: 'resize', steps: [resizeTo(5, 7)],
      want: { x: { start: 0, end: 40, window: { offset: 0, length: 40 }, size: 5 }, y: { start: 0, end: 30, window: { offset: 0, length: 30 }, size: 7 } },
    },
    {
      name: 'crop, then resize', steps: [crop, resizeTo(5, 7)],
      want: { x: { start: 3, end: 13, window: { offset: 0, length: 10 }, size: 5 }, y: { start: 4, end: 24, window: { offset: 0, length: 20 }, size: 7 } },
    },
    {
      name: 'windowed resize', steps: [{ kind: 'resize', width: 5, height: 7, window: { x: { offset: 0.5, length: 38.5 }, y: { offset: 0, length: 29.75 } } }],
      want: { x: { start: 0, end: 40, window: { offset: 0.5, length: 38.5 }, size: 5 }, y: { start: 0, end: 30, window: { offset: 0, length: 29.75 }, size: 7 } },
    },
  ];
  for (const c of cases) {
    assert.deepEqual(cutsFor(c.steps, 40, 30), c.want, `cutsFor(${c.name}) = ${JSON.stringify(cutsFor(c.steps, 40, 30))}, want ${JSON.stringify(c.want)}`);
  }
});

test('chromaCut places 4:2:0 chroma where JFIF centres it', () => {
  const cases: Array<{ name: string; cut: AxisCut; ratio: number; plane: number; want: ReturnType<typeof chromaCut> }> = [
    {
      name: '1024 -> 500 at 2:1', cut: { start: 0, end: 1024, window: { offset: 0, length: 1024 }, size: 500 }, ratio: 2, plane: 512,
      want: { start: 0, end: 512, window: { offset: 0, length: 512 }, size: 500 },
    },
    {
      name: '683 -> 333 at 2:1', cut: { start: 0, end: 683, window: { offset: 0, length: 683 }, size: 333 }, ratio: 2, plane: 342,
      want: { start: 0, end: 342, window: { offset: 0, length: 341.5 }, size: 333 },
    },
    {
      name: 'crop from an odd column', cut: { start: 5, end: 25, window: { offset: 0, length: 20 }, size: 10 }, ratio: 2, plane: 20,
      want: { start: 2, end: 13, window: { offset: 0.5, length: 10 }, size: 10 },
    },
    {
      name: 'full-resolution chroma', cut: { start: 5, end: 25, window: { offset: 0.25, length: 19.5 }, size: 7 }, ratio: 1, plane: 40,
      want: { start: 5, end: 25, window: { offset: 0.25, length: 19.5 }, size: 7 },
    },
    {
      name: 'crop past the plane', cut: { start: 30, end: 41, window: { offset: 0, length: 11 }, size: 4 }, ratio: 2, plane: 20,
      want: { start: 15, end: 20, window: { offset: 0, length: 5.5 }, size: 4 },
    },
  ];
  for (const c of cases) {
    const got = chromaCut(c.cut, c.ratio, c.plane);
    assert.equal(got.start, c.want.start, `chromaCut(${c.name}).start = ${got.start}, want ${c.want.start}`);
    assert.equal(got.end, c.want.end, `chromaCut(${c.name}).end = ${got.end}, want ${c.want.end}`);
    assert.equal(got.size, c.want.size, `chromaCut(${c.name}).size = ${got.size}, want ${c.want.size}`);
    assert.ok(Math.abs(got.window.offset - c.want.window.offset) < 1e-9, `chromaCut(${c.name}).window.offset = ${got.window.offset}, want ${c.want.window.offset}`);
    assert.ok(Math.abs(got.window.length - c.want.window.length) < 1e-9, `chromaCut(${c.name}).window.length = ${got.window.length}, want ${c.want.window.length}`);
  }
});

test('pairWeights averages the taps of each pair of outputs', () => {
  // Scale 1, aligned: output i is source i alone (other taps are within rounding of zero), so
  // pair i is sources 2i and 2i+1 at a half each.
  const id = pairWeights(precomputeWeights(6, 6));
  for (let i = 0; i < 3; i++) {
    for (let k = id.start[i]; k < id.start[i + 1]; k++) {
      const want = id.index[k] === 2 * i || id.index[k] === 2 * i + 1 ? 0.5 : 0;
      assert.ok(Math.abs(id.weight[k] - want) < 1e-9, `pairWeights(identity 6) output ${i} weight at ${id.index[k]} = ${id.weight[k]}, want ${want}`);
    }
  }
  for (const [dst, src] of [[10, 37], [500, 512], [8, 3], [334, 342], [333, 342], [7, 20]]) {
    const w = precomputeWeights(dst, src);
    const p = pairWeights(w);
    const pairs = Math.ceil(dst / 2);
    assert.equal(p.start.length - 1, pairs, `pairWeights(${src}->${dst}) has ${p.start.length - 1} outputs, want ${pairs}`);
    if (dst % 2 === 1) {
      // The last output has no partner: its taps stand alone, unchanged.
      const last = Array.from(p.weight.subarray(p.start[pairs - 1], p.start[pairs]));
      const own = Array.from(w.weight.subarray(w.start[dst - 1], w.start[dst]));
      assert.deepEqual(last, own, `pairWeights(${src}->${dst}) last output = ${last}, want output ${dst - 1}'s own taps ${own}`);
    }
    for (let i = 0; i < Math.floor(dst / 2); i++) {
      let sum = 0;
      for (let k = p.start[i]; k < p.start[i + 1]; k++) {
        sum += p.weight[k];
        if (k > p.start[i]) assert.ok(p.index[k] > p.index[k - 1], `pairWeights(${src}->${dst}) output ${i} taps are not in order`);
      }
      assert.ok(Math.abs(sum - 1) < 1e-12, `pairWeights(${src}->${dst}) output ${i} sums to ${sum}, want 1`);
      // The pair's weight on the first source of output 2i is half of output 2i's own weight there.
      const u = w.index[w.start[2 * i]];
      const k = Array.from(p.index.subarray(p.start[i], p.start[i + 1])).indexOf(u) + p.start[i];
      let expect = 0;
      for (const o of [2 * i, 2 * i + 1]) for (let j = w.start[o]; j < w.start[o + 1]; j++) if (w.index[j] === u) expect += w.weight[j] / 2;
      assert.ok(Math.abs(p.weight[k] - expect) < 1e-15, `pairWeights(${src}->${dst}) output ${i} weight at ${u} = ${p.weight[k]}, want ${expect}`);
    }
  }
});

test('isPlanarYcc takes three-component YCbCr only', () => {
  const cases: Array<[string, boolean]> = [
    [PHOTO, true], [S422, true], [S444, true], [S411, true], [GRAY, false], [CMYK, false], [RGB, false],
  ];
  for (const [file, want] of cases) {
    const p = decodeJpegToPlanes(read(file), { maxPixels: 1e8 })!;
    assert.equal(isPlanarYcc(p), want, `isPlanarYcc(${file}) = ${isPlanarYcc(p)}, want ${want}`);
  }
});

/** yccOf converts RGBA to float YCbCr planes at full size, as JPEG (JFIF) defines them. */
function yccOf(b: { width: number; height: number; data: Uint8Array }): Float64Array[] {
  const n = b.width * b.height;
  const out = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const r = b.data[4 * i], g = b.data[4 * i + 1], bl = b.data[4 * i + 2];
    out[0][i] = 0.299 * r + 0.587 * g + 0.114 * bl;
    out[1][i] = -0.168735892 * r - 0.331264108 * g + 0.5 * bl + 128;
    out[2][i] = 0.5 * r - 0.418687589 * g - 0.081312411 * bl + 128;
  }
  return out;
}

/** halve box-averages a full-size plane to ceil(w/2) x ceil(h/2), replicating the last row and column. */
function halve(p: Float64Array, w: number, h: number): Float64Array {
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const out = new Float64Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let s = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) s += p[Math.min(h - 1, 2 * y + dy) * w + Math.min(w - 1, 2 * x + dx)];
      out[y * cw + x] = s / 4;
    }
  }
  return out;
}

/** psnrOf is the PSNR of fixed-point samples (1/16 units) against float ones on the 0..255 scale. */
function psnrOf(got: Uint16Array, want: Float64Array): number {
  let se = 0;
  for (let i = 0; i < got.length; i++) {
    const d = got[i] / (1 << YCC_FRACTION_BITS) - want[i];
    se += d * d;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / got.length));
}

test('resampled planes match the RGB path converted to YCbCr, across chroma layouts', () => {
  // The RGB path upsamples chroma with libjpeg's triangle filter before resampling, the planar
  // path resamples chroma where it is: luma agrees closely, chroma a little less so. (Measured:
  // luma 57-60 dB, chroma 47-64 dB; chroma half a sample out of place scores about 10 dB less.)
  const MIN_LUMA_DB = 54;
  const MIN_CHROMA_DB = 45;
  const cases: Array<{ file: string; opts: string; shrink?: number }> = [
    { file: PHOTO, opts: '500x' },
    { file: PHOTO_PROG, opts: '333x' },
    { file: PHOTO, opts: '300x200' },
    { file: PHOTO, opts: '123x77' },
    { file: PHOTO, opts: '140x', shrink: 2 },
    { file: PHOTO, opts: '0x,cx100,cy50,cw301,ch201,125x' },
    { file: S420, opts: '80x' },
    { file: S422, opts: '79x51' },
    { file: S440, opts: '60x' },
    { file: S444, opts: '100x' },
    { file: S411, opts: '90x' },
    { file: RESTART, opts: '77x' },
    { file: PROG444, opts: '101x' },
    { file: ODD, opts: '19x' },
    { file: ODD, opts: '0x11' },
  ];
  for (const c of cases) {
    const bytes = read(c.file);
    const planes = decodeJpegToPlanes(bytes, { maxPixels: 1e8, shrink: c.shrink })!;
    // The full-size decode gives the stored size that geometry is planned at.
    const base = decodeJpegToPlanes(bytes, { maxPixels: 1e8 })!;
    const header: Size = { width: base.width, height: base.height };
    const plan = planFor(header, parseOptions(c.opts));
    const reduced: Size = { width: planes.width, height: planes.height };
    const steps = planes.scale > 1 ? scaleSteps(stepsFor(plan, header), header, reduced, planes.scale) : stepsFor(plan, header);
    const cut = cutsFor(steps, reduced.width, reduced.height);
    assert.ok(cut, `cutsFor(${c.file} ${c.opts}) = undefined, want a crop-then-resize`);
    const got = resamplePlanes(planes, cut)!;
    assert.ok(got, `resamplePlanes(${c.file} ${c.opts}) = undefined, want planes`);
    const rgb = applySteps(bitmapOfPlanes(planes).bitmap, steps);
    assert.deepEqual([got.width, got.height], [rgb.width, rgb.height], `resamplePlanes(${c.file} ${c.opts}) size = ${got.width}x${got.height}, want ${rgb.width}x${rgb.height}`);
    const [y, cb, cr] = yccOf(rgb);
    const py = psnrOf(got.y, y);
    const pcb = psnrOf(got.cb, halve(cb, rgb.width, rgb.height));
    const pcr = psnrOf(got.cr, halve(cr, rgb.width, rgb.height));
    assert.ok(py >= MIN_LUMA_DB, `resamplePlanes(${c.file} ${c.opts}) luma PSNR = ${py.toFixed(2)} dB, want >= ${MIN_LUMA_DB}`);
    assert.ok(pcb >= MIN_CHROMA_DB && pcr >= MIN_CHROMA_DB, `resamplePlanes(${c.file} ${c.opts}) chroma PSNR = ${pcb.toFixed(2)}/${pcr.toFixed(2)} dB, want >= ${MIN_CHROMA_DB}`);
  }
});

test('resamplePlanes leaves grayscale, CMYK and RGB JPEGs to the RGB path', () => {
  for (const file of [GRAY, CMYK, RGB]) {
    const p = decodeJpegToPlanes(read(file), { maxPixels: 1e8 })!;
    const cut = cutsFor([resizeTo(10, 10)], p.width, p.height)!;
    assert.equal(resamplePlanes(p, cut), undefined, `resamplePlanes(${file}) returned planes, want undefined`);
  }
});

test('chromaCut with a phase: a mirrored odd-sized plane starts half a sample early', () => {
  // 5 luma columns, 3 chroma samples: mirrored, chroma sample 0 covers luma -1 and 0.
  const c: AxisCut = { start: 0, end: 5, window: { offset: 0, length: 5 }, size: 5 };
  const got = chromaCut(c, 2, 3, 0.5);
  assert.deepEqual(got, { start: 0, end: 3, window: { offset: 0.5, length: 2.5 }, size: 5 },
    `chromaCut(5 -> 5, ratio 2, phase 0.5) = ${JSON.stringify(got)}`);
});

test('mapCut carries a crop and its window into a turned frame', () => {
  const cut = {
    x: { start: 2, end: 10, window: { offset: 1, length: 6 }, size: 4 },
    y: { start: 0, end: 5, window: { offset: 0.5, length: 4 }, size: 3 },
  };
  const frame = { width: 12, height: 5 };
  const cases: Array<{ name: string; d: Dihedral; want: typeof cut }> = [
    { name: 'identity', d: { swap: false, flipX: false, flipY: false }, want: cut },
    {
      name: 'left-right mirror', d: { swap: false, flipX: true, flipY: false },
      want: { x: { start: 2, end: 10, window: { offset: 1, length: 6 }, size: 4 }, y: cut.y },
    },
    {
      name: 'top-bottom mirror', d: { swap: false, flipX: false, flipY: true },
      want: { x: cut.x, y: { start: 0, end: 5, window: { offset: 0.5, length: 4 }, size: 3 } },
    },
    {
      name: 'transpose', d: { swap: true, flipX: false, flipY: false },
      want: { x: cut.y, y: cut.x },
    },
    {
      name: 'rotate 90', d: turn(90, false, false),
      want: { x: cut.y, y: { start: 2, end: 10, window: { offset: 1, length: 6 }, size: 4 } },
    },
  ];
  // An off-centre crop shows the mirroring.
  const offCentre = { ...cut, x: { start: 1, end: 7, window: { offset: 0.5, length: 4 }, size: 4 } };
  const mirrored = mapCut(offCentre, { swap: false, flipX: true, flipY: false }, frame);
  assert.deepEqual(mirrored.x, { start: 5, end: 11, window: { offset: 1.5, length: 4 }, size: 4 },
    `mapCut(off-centre crop, mirror) x = ${JSON.stringify(mirrored.x)}, want 5..11 with the window at 1.5`);
  for (const c of cases) {
    const got = mapCut(cut, c.d, frame);
    assert.deepEqual(got, c.want, `mapCut(${c.name}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('turned planes match the RGB path turned the same way, odd sizes included', () => {
  // The RGB path orients, crops and resamples, then rotates and flips; the planar path turns the
  // planes first. Chroma half a sample out of place (a mirrored odd size) would lose ~10 dB.
  const MIN_LUMA_DB = 54;
  const MIN_CHROMA_DB = 45;
  const cases: Array<{ file: string; opts: string; exif: number }> = [
    { file: S420, opts: '80x,fh', exif: 1 },
    { file: S420, opts: '80x,fv', exif: 1 },
    { file: S420, opts: '77x,r90', exif: 1 },
    // Odd output sizes on a mirrored axis (a phantom last column must not be extrapolated).
    { file: S420, opts: '77x,fh', exif: 1 },
    { file: S420, opts: '77x,r180', exif: 1 },
    { file: S420, opts: '77x,r270', exif: 1 },
    { file: S420, opts: '60x40,r270,fh', exif: 1 },
    { file: S422, opts: '79x,r180', exif: 1 },
    { file: ODD, opts: '0x11,fh', exif: 1 },
    { file: ODD, opts: '19x,r90', exif: 1 },
    { file: S420, opts: '50x', exif: 6 },
    { file: S420, opts: '50x', exif: 5 },
    { file: S420, opts: '41x,fv', exif: 7 },
    { file: PHOTO, opts: '0x,cx100,cy50,cw301,ch201,125x,r90', exif: 1 },
  ];
  for (const c of cases) {
    const bytes = read(c.file);
    const planes = decodeJpegToPlanes(bytes, { maxPixels: 1e8 })!;
    const oriented = orientedSize({ width: planes.width, height: planes.height }, c.exif);
    const o = parseOptions(c.opts);
    const plan = planFor(oriented, o);
    const steps = stepsFor(plan, oriented);
    const cut = cutsFor(steps, oriented.width, oriented.height)!;
    assert.ok(cut, `cutsFor(${c.file} ${c.opts}) = undefined, want a crop-then-resize`);
    const after = turn(plan.rotate, plan.flipVertical, plan.flipHorizontal);
    const got = resamplePlanes(planes, mapCut(cut, after, oriented), then(exifOrientation(c.exif), after))!;
    let rgb = applySteps(orient(bitmapOfPlanes(planes).bitmap, c.exif), steps);
    rgb = rotate(rgb, plan.rotate);
    if (plan.flipVertical) rgb = flipV(rgb);
    if (plan.flipHorizontal) rgb = flipH(rgb);
    const name = `resamplePlanes(${c.file}, exif ${c.exif}, ${c.opts})`;
    assert.deepEqual([got.width, got.height], [rgb.width, rgb.height], `${name} size = ${got.width}x${got.height}, want ${rgb.width}x${rgb.height}`);
    const [y, cb, cr] = yccOf(rgb);
    const py = psnrOf(got.y, y);
    const pcb = psnrOf(got.cb, halve(cb, rgb.width, rgb.height));
    const pcr = psnrOf(got.cr, halve(cr, rgb.width, rgb.height));
    assert.ok(py >= MIN_LUMA_DB, `${name} luma PSNR = ${py.toFixed(2)} dB, want >= ${MIN_LUMA_DB}`);
    assert.ok(pcb >= MIN_CHROMA_DB && pcr >= MIN_CHROMA_DB, `${name} chroma PSNR = ${pcb.toFixed(2)}/${pcr.toFixed(2)} dB, want >= ${MIN_CHROMA_DB}`);
  }
});
