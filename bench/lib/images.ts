/**
 * The benchmark's input images (bench/images/, provenance in bench/images/SOURCES.md).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** REPO_ROOT is the repository root (this file runs from dist/bench/lib/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** IMAGES_DIR is bench/images/ in the source tree (images are not copied to dist/). */
export const IMAGES_DIR = path.join(REPO_ROOT, 'bench', 'images');

/** BENCH_IMAGES names each input file. */
export const BENCH_IMAGES = {
  /** 1024x683 photographic JPEG, q90, 4:2:0. */
  jpeg1024: 'photo1024.jpg',
  /** 4000x2667 photographic JPEG, q90, 4:2:0 (about 2.7 MB). */
  jpeg4000: 'photo4000.jpg',
  /** 1024x683 RGB PNG. */
  png1024: 'flowers1024.png',
  /** 640x427 animated GIF, 5 frames, 216-colour palette. */
  gif640: 'anim640.gif',
} as const;

/** ImageName is a key of BENCH_IMAGES. */
export type ImageName = keyof typeof BENCH_IMAGES;

/** contentTypeOf returns the media type for a bench image file name. */
export function contentTypeOf(file: string): string {
  if (file.endsWith('.jpg') || file.endsWith('.jpeg')) return 'image/jpeg';
  if (file.endsWith('.png')) return 'image/png';
  if (file.endsWith('.gif')) return 'image/gif';
  return 'application/octet-stream';
}
