/**
 * Tiny synthetic bitmaps for the transform tests (helper module, not a test file).
 */
import type { Bitmap } from '../../../lib/codecs/types.js';

/** RGBA is one pixel. */
export type RGBA = [number, number, number, number];

export const RED: RGBA = [255, 0, 0, 255];
export const GREEN: RGBA = [0, 255, 0, 255];
export const BLUE: RGBA = [0, 0, 255, 255];
export const YELLOW: RGBA = [255, 255, 0, 255];
export const WHITE: RGBA = [255, 255, 255, 255];
export const BLACK: RGBA = [0, 0, 0, 255];

/** fromRows builds a bitmap from rows of pixels. */
export function fromRows(rows: RGBA[][]): Bitmap {
  const height = rows.length;
  const width = rows[0].length;
  const data = new Uint8Array(width * height * 4);
  rows.forEach((row, y) => row.forEach((p, x) => data.set(p, (y * width + x) * 4)));
  return { width, height, data };
}

/** toRows turns a bitmap back into rows of pixels. */
export function toRows(b: Bitmap): RGBA[][] {
  const rows: RGBA[][] = [];
  for (let y = 0; y < b.height; y++) {
    const row: RGBA[] = [];
    for (let x = 0; x < b.width; x++) {
      const i = (y * b.width + x) * 4;
      row.push([b.data[i], b.data[i + 1], b.data[i + 2], b.data[i + 3]]);
    }
    rows.push(row);
  }
  return rows;
}

/** solid builds a width x height bitmap of one colour. */
export function solid(width: number, height: number, c: RGBA): Bitmap {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(c, i);
  return { width, height, data };
}

/** rgby is the 2x2 red/green over blue/yellow image. */
export function rgby(): Bitmap {
  return fromRows([[RED, GREEN], [BLUE, YELLOW]]);
}

/** quarters is a 4x4 image whose quadrants are red, green (top) and blue, yellow (bottom). */
export function quarters(): Bitmap {
  return fromRows([
    [RED, RED, GREEN, GREEN],
    [RED, RED, GREEN, GREEN],
    [BLUE, BLUE, YELLOW, YELLOW],
    [BLUE, BLUE, YELLOW, YELLOW],
  ]);
}

/**
 * pattern is a deterministic w x h test card (the same formula generated the Go reference
 * hashes): R = 7x+13y, G = xy, B = x^y, A = 3x+5y (or 255), all mod 256.
 */
export function pattern(width: number, height: number, alpha: boolean): Bitmap {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 7 + y * 13) & 255;
      data[i + 1] = (x * y) & 255;
      data[i + 2] = (x ^ y) & 255;
      data[i + 3] = alpha ? (x * 3 + y * 5) & 255 : 255;
    }
  }
  return { width, height, data };
}

/** show prints pixel rows compactly for assertion messages. */
export function show(b: Bitmap): string {
  return `${b.width}x${b.height} ${JSON.stringify(toRows(b))}`;
}
