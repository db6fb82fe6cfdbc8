/**
 * make-images regenerates the benchmark inputs in bench/images/ from the MIT-licensed test
 * pictures of disintegration/imaging (Debian package golang-github-disintegration-imaging-dev).
 *
 * It was run once and its outputs are committed; it is kept so their provenance is reproducible:
 *   apt-get install -y imagemagick golang-github-disintegration-imaging-dev
 *   npx tsc -p tsconfig.json && node dist/bench/lib/make-images.js
 * ImageMagick output can differ slightly between versions, so a rerun need not be byte-identical.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import omggif from 'omggif';
import { decodeImage } from './decode.js';
import { IMAGES_DIR, BENCH_IMAGES } from './images.js';

const TESTDATA = '/usr/share/gocode/src/github.com/disintegration/imaging/testdata';
/** ImageMagick's convert; /usr/local/bin/convert may be a stand-in, so the real one is named. */
const CONVERT = '/usr/bin/convert';

function convert(args: string[]): void {
  execFileSync(CONVERT, args, { stdio: 'inherit' });
}

/** GIF_FRAMES is the animation length: enough frames for per-frame cost to dominate. */
const GIF_FRAMES = 5;
/** GIF_SIZE is each frame's size: a typical animated banner, larger than the 500 px target. */
const GIF_WIDTH = 640;
const GIF_HEIGHT = 427;

/** palette666 is a fixed 6x6x6 colour cube (216 colours) padded to 256 entries. */
function palette666(): number[] {
  const p: number[] = [];
  for (let r = 0; r < 6; r++) for (let g = 0; g < 6; g++) for (let b = 0; b < 6; b++) p.push((r * 51 << 16) | (g * 51 << 8) | (b * 51));
  while (p.length < 256) p.push(0);
  return p;
}

/** quantize maps RGBA to the 6x6x6 cube with Floyd-Steinberg error diffusion. */
function quantize(rgba: Float32Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const q = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        const v = Math.min(255, Math.max(0, rgba[i + c]));
        q[c] = Math.round(v / 51);
        const err = v - q[c] * 51;
        const spread = (dx: number, dy: number, f: number) => {
          const xx = x + dx, yy = y + dy;
          if (xx >= 0 && xx < w && yy < h) rgba[(yy * w + xx) * 4 + c] += err * f;
        };
        spread(1, 0, 7 / 16);
        spread(-1, 1, 3 / 16);
        spread(0, 1, 5 / 16);
        spread(1, 1, 1 / 16);
      }
      out[y * w + x] = q[0] * 36 + q[1] * 6 + q[2];
    }
  }
  return out;
}

/** makeGif writes an animation panning across the 1024 px photo, one window per frame. */
function makeGif(src: string, dst: string): void {
  const img = decodeImage(readFileSync(src));
  const buf = Buffer.alloc(GIF_WIDTH * GIF_HEIGHT * GIF_FRAMES + 1024 * 1024);
  const writer = new omggif.GifWriter(buf, GIF_WIDTH, GIF_HEIGHT, { loop: 0, palette: palette666() });
  for (let f = 0; f < GIF_FRAMES; f++) {
    const ox = Math.round(((img.width - GIF_WIDTH) * f) / (GIF_FRAMES - 1));
    const oy = Math.round(((img.height - GIF_HEIGHT) * f) / (GIF_FRAMES - 1));
    const frame = new Float32Array(GIF_WIDTH * GIF_HEIGHT * 4);
    for (let y = 0; y < GIF_HEIGHT; y++) {
      for (let x = 0; x < GIF_WIDTH; x++) {
        const s = ((y + oy) * img.width + (x + ox)) * 4;
        frame.set(img.data.subarray(s, s + 4), (y * GIF_WIDTH + x) * 4);
      }
    }
    writer.addFrame(0, 0, GIF_WIDTH, GIF_HEIGHT, quantize(frame, GIF_WIDTH, GIF_HEIGHT) as unknown as number[], { delay: 10 });
  }
  writeFileSync(dst, buf.subarray(0, writer.end()));
}

function main(): void {
  const out = (name: string) => path.join(IMAGES_DIR, name);
  const branches = path.join(TESTDATA, 'branches.jpg');
  convert([branches, '-filter', 'Lanczos', '-resize', '1024x683!', '-sampling-factor', '4:2:0', '-quality', '90', '-strip', out(BENCH_IMAGES.jpeg1024)]);
  // Upscaling 6.7x leaves a soft picture; a little sharpening and grain give it the texture and
  // the entropy (bytes per pixel) of a real 11-megapixel photo.
  convert([branches, '-filter', 'Lanczos', '-resize', '4000x2667!', '-unsharp', '0x2+0.6+0', '-seed', '7', '-attenuate', '0.3', '+noise', 'Gaussian', '-sampling-factor', '4:2:0', '-quality', '90', '-strip', out(BENCH_IMAGES.jpeg4000)]);
  convert([path.join(TESTDATA, 'flowers.png'), '-filter', 'Lanczos', '-resize', '1024x683!', '-strip', out(BENCH_IMAGES.png1024)]);
  makeGif(out(BENCH_IMAGES.jpeg1024), out(BENCH_IMAGES.gif640));
  console.log('wrote', Object.values(BENCH_IMAGES).join(', '), 'to', IMAGES_DIR);
}

main();
