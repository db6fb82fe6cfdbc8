import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageFormat, ProbeResult } from '../../../lib/codecs/types.js';
import type { Limits } from '../../../lib/config.js';
import { parseOptions } from '../../../lib/request/options.js';
import type { ResizeStep } from '../../../lib/transform/geometry.js';
import { planTransform, refusal, type TransformPlan } from '../../../lib/transform/plan.js';

const LIMITS: Limits = { maxPixels: 50_000_000, maxOutputSide: 8192 };

/** header is the probe of a format x size source. */
function header(format: ImageFormat, width: number, height: number, extra: Partial<ProbeResult> = {}): ProbeResult {
  const frames = extra.frames ?? 1;
  return { format, width, height, frames, pixels: width * height * frames, orientation: 1, ...extra };
}

/** showSteps prints steps as `crop x0,y0-x1,y1` and `resize WxH` separated by `; `. */
function showSteps(steps: readonly ResizeStep[]): string {
  return steps.map((s) => (s.kind === 'crop'
    ? `crop ${s.rect.x0},${s.rect.y0}-${s.rect.x1},${s.rect.y1}`
    : `resize ${s.width}x${s.height}`)).join('; ');
}

/** PlanFields are the plan's decisions in a form a table can state. */
interface PlanFields {
  orientation: number;
  oriented: string;
  steps: string;
  turn: string;
  trim: boolean;
  smartCrop: string;
  shrink: number;
  animated: boolean;
  frames: number;
  encoder: string;
  planar: boolean;
  verdict: string;
}

function fields(p: TransformPlan): PlanFields {
  const t = p.turn;
  return {
    orientation: p.orientation,
    oriented: `${p.oriented.width}x${p.oriented.height}`,
    steps: showSteps(p.steps),
    turn: [t.swap && 'swap', t.flipX && 'flipX', t.flipY && 'flipY'].filter(Boolean).join(',') || 'none',
    trim: p.trim,
    smartCrop: p.smartCrop ? `${p.smartCrop.width}x${p.smartCrop.height}` : 'none',
    shrink: p.shrink,
    animated: p.animated,
    frames: p.frames,
    encoder: `${p.encoder.format} q${p.encoder.quality}`,
    planar: p.planar,
    verdict: p.verdict,
  };
}

/** BASE is the plan of a still JPEG that is neither reduced nor turned, for cases to vary. */
const BASE: PlanFields = {
  orientation: 1, oriented: '2x2', steps: '', turn: 'none', trim: false, smartCrop: 'none', shrink: 1,
  animated: false, frames: 1, encoder: 'jpeg q95', planar: false, verdict: 'ok',
};

const CASES: Array<{ name: string; source: ProbeResult; opts: string; limits?: Limits; want: Partial<PlanFields> }> = [
  { name: '2x2 PNG turned', source: header('png', 2, 2), opts: 'r90', want: { turn: 'swap,flipY', encoder: 'png q95' } },
  { name: '2x2 PNG flipped both ways', source: header('png', 2, 2), opts: 'fh,fv', want: { turn: 'flipX,flipY', encoder: 'png q95' } },
  { name: '2x2 PNG to 1x1', source: header('png', 2, 2), opts: '1x1', want: { steps: 'resize 1x1', encoder: 'png q95' } },
  { name: '2x2 PNG to JPEG q50', source: header('png', 2, 2), opts: 'jpeg,q50', want: { encoder: 'jpeg q50' } },
  { name: '2x2 JPEG, quality clamped', source: header('jpeg', 2, 2), opts: 'q200,fv', want: { encoder: 'jpeg q100', turn: 'flipY' } },
  {
    name: 'large JPEG to 500x: reduced decode, planar', source: header('jpeg', 4000, 3000), opts: '500x',
    want: { oriented: '4000x3000', steps: 'resize 500x375', shrink: 2, planar: true },
  },
  {
    name: 'JPEG to 100x: reduced 8 times', source: header('jpeg', 4000, 3000), opts: '100x',
    want: { oriented: '4000x3000', steps: 'resize 100x75', shrink: 8, planar: true },
  },
  {
    name: 'EXIF 6 JPEG: geometry at the oriented size', source: header('jpeg', 70, 50, { orientation: 6 }), opts: '40x',
    want: { orientation: 6, oriented: '50x70', steps: 'resize 40x56', planar: true },
  },
  {
    name: 'EXIF 8 TIFF becomes JPEG', source: header('tiff', 100, 50, { orientation: 8 }), opts: 'r180',
    want: { orientation: 8, oriented: '50x100', turn: 'flipX,flipY' },
  },
  { name: 'orientation ignored for PNG', source: header('png', 100, 50, { orientation: 6 }), opts: '10x', want: { oriented: '100x50', steps: 'resize 10x5', encoder: 'png q95' } },
  { name: 'WebP becomes JPEG, not planar', source: header('webp', 100, 50), opts: '10x', want: { oriented: '100x50', steps: 'resize 10x5' } },
  {
    name: 'crop then resize: planar, not reduced', source: header('jpeg', 200, 200), opts: 'cx10,cy10,cw100,ch40,20x',
    want: { oriented: '200x200', steps: 'crop 10,10-110,50; resize 20x8', planar: true },
  },
  { name: 'crop alone: not planar', source: header('jpeg', 200, 200), opts: 'cx10,cy10,cw100,ch40', want: { oriented: '200x200', steps: 'crop 10,10-110,50' } },
  {
    name: 'cover: centre crop, then resize', source: header('jpeg', 400, 200), opts: '100x100',
    want: { oriented: '400x200', steps: 'crop 100,0-300,200; resize 100x100', planar: true },
  },
  { name: 'trim: pixel-dependent', source: header('jpeg', 4000, 3000), opts: 'trim,100x', want: { oriented: '4000x3000', steps: 'resize 100x75', trim: true } },
  { name: 'smart crop with both sides', source: header('jpeg', 4000, 3000), opts: 'sc,40x40', want: { oriented: '4000x3000', steps: 'crop 500,0-3500,3000; resize 40x40', smartCrop: '40x40' } },
  { name: 'smart crop with one side does not run', source: header('jpeg', 4000, 3000), opts: 'sc,40x', want: { oriented: '4000x3000', steps: 'resize 40x30', shrink: 8, planar: true } },
  { name: 'animated GIF stays animated', source: header('gif', 10, 10, { frames: 3 }), opts: '5x', want: { oriented: '10x10', steps: 'resize 5x5', animated: true, frames: 3, encoder: 'gif q95' } },
  { name: 'animated GIF to PNG keeps one frame', source: header('gif', 10, 10, { frames: 3 }), opts: '5x,png', want: { oriented: '10x10', steps: 'resize 5x5', encoder: 'png q95' } },
  { name: 'too many source pixels', source: header('png', 100, 50), opts: '10x', limits: { maxPixels: 4999, maxOutputSide: 4096 }, want: { oriented: '100x50', steps: 'resize 10x5', encoder: 'png q95', verdict: 'too_many_pixels' } },
  { name: 'output side over the limit', source: header('png', 100, 50), opts: '301x,scaleUp', limits: { maxPixels: 1e6, maxOutputSide: 300 }, want: { oriented: '100x50', steps: 'resize 301x151', encoder: 'png q95', verdict: 'output_too_large' } },
  { name: 'output side at the limit', source: header('png', 100, 50), opts: '300x,scaleUp', limits: { maxPixels: 1e6, maxOutputSide: 300 }, want: { oriented: '100x50', steps: 'resize 300x150', encoder: 'png q95' } },
  {
    name: 'every animation frame counts against maxPixels', source: header('gif', 10, 10, { frames: 2 }), opts: '600x,scaleUp',
    limits: { maxPixels: 500_000, maxOutputSide: 8192 }, want: { oriented: '10x10', steps: 'resize 600x600', animated: true, frames: 2, encoder: 'gif q95', verdict: 'output_too_large' },
  },
  {
    name: 'one frame of the same fits', source: header('gif', 10, 10, { frames: 2 }), opts: '600x,scaleUp,png',
    limits: { maxPixels: 500_000, maxOutputSide: 8192 }, want: { oriented: '10x10', steps: 'resize 600x600', encoder: 'png q95' },
  },
  { name: 'JPEG to WebP: planar, default quality 92', source: header('jpeg', 1024, 683), opts: '500x,webp', want: { oriented: '1024x683', steps: 'resize 500x333', encoder: 'webp q92', planar: true } },
  { name: 'JPEG to AVIF q60: planar', source: header('jpeg', 1024, 683), opts: '500x,avif,q60', want: { oriented: '1024x683', steps: 'resize 500x333', encoder: 'avif q60', planar: true } },
  { name: 'PNG to WebP', source: header('png', 100, 50), opts: '10x,webp', want: { oriented: '100x50', steps: 'resize 10x5', encoder: 'webp q92' } },
  { name: 'animated GIF to WebP stays animated', source: header('gif', 10, 10, { frames: 3 }), opts: '5x,webp', want: { oriented: '10x10', steps: 'resize 5x5', animated: true, frames: 3, encoder: 'webp q92' } },
  { name: 'animated WebP to WebP stays animated', source: header('webp', 10, 10, { frames: 3 }), opts: '5x,webp', want: { oriented: '10x10', steps: 'resize 5x5', animated: true, frames: 3, encoder: 'webp q92' } },
  { name: 'animated WebP becomes a JPEG still', source: header('webp', 10, 10, { frames: 3 }), opts: '5x', want: { oriented: '10x10', steps: 'resize 5x5' } },
  { name: 'animated GIF to AVIF: a still', source: header('gif', 10, 10, { frames: 3 }), opts: '5x,avif', want: { oriented: '10x10', steps: 'resize 5x5', encoder: 'avif q85' } },
  {
    name: 'AVIF output over its limit', source: header('png', 100, 50), opts: '60x,avif', limits: { maxPixels: 1e6, maxOutputSide: 4096, maxAvifPixels: 1000 },
    want: { oriented: '100x50', steps: 'resize 60x30', encoder: 'avif q85', verdict: 'avif_too_large' },
  },
  {
    name: 'AVIF output at its limit', source: header('png', 100, 50), opts: '40x,avif', limits: { maxPixels: 1e6, maxOutputSide: 4096, maxAvifPixels: 800 },
    want: { oriented: '100x50', steps: 'resize 40x20', encoder: 'avif q85' },
  },
  {
    name: 'the AVIF limit does not apply to WebP', source: header('png', 100, 50), opts: '60x,webp', limits: { maxPixels: 1e6, maxOutputSide: 4096, maxAvifPixels: 1000 },
    want: { oriented: '100x50', steps: 'resize 60x30', encoder: 'webp q92' },
  },
  {
    name: 'intermediate of an extreme cover counts', source: header('png', 10, 99), opts: '4000x8,scaleUp',
    limits: { maxPixels: 1e6, maxOutputSide: 4096 }, want: { oriented: '10x99', steps: 'resize 4000x39600; crop 0,19796-4000,19804', encoder: 'png q95', verdict: 'output_too_large' },
  },
];

test('planTransform(probe, options, limits) decides every field before decoding', () => {
  for (const c of CASES) {
    const got = fields(planTransform(c.source, parseOptions(c.opts), c.limits ?? LIMITS));
    const want = { ...BASE, ...c.want };
    assert.deepEqual(got, want, `planTransform(${c.name}, ${c.opts}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('refusal(plan) is the 422 its verdict calls for', () => {
  const cases: Array<{ name: string; source: ProbeResult; opts: string; limits: Limits; code?: string; message?: string }> = [
    { name: 'fits', source: header('png', 100, 50), opts: '10x', limits: LIMITS },
    { name: 'pixels', source: header('png', 100, 50), opts: '10x', limits: { maxPixels: 4999, maxOutputSide: 4096 }, code: 'too_many_pixels', message: 'The image has more pixels than the limit of 4999.' },
    {
      name: 'output', source: header('png', 100, 50), opts: '301x,scaleUp', limits: { maxPixels: 1e6, maxOutputSide: 300 }, code: 'output_too_large',
      message: 'The output image would be larger than 300 pixels on a side or 1000000 pixels in all.',
    },
  ];
  for (const c of cases) {
    const got = refusal(planTransform(c.source, parseOptions(c.opts), c.limits));
    const show = got && `${got.status} ${got.code} ${got.message}`;
    const want = c.code && `422 ${c.code} ${c.message}`;
    assert.equal(show, want, `refusal(${c.name}) = ${show}, want ${want}`);
  }
});
