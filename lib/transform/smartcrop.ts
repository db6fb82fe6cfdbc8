/**
 * Content-aware cropping with smartcrop.js, run on plain RGBA bitmaps.
 *
 * smartcrop.js normally draws through a browser canvas; its `imageOperations` hook lets it
 * work on our bitmaps instead. Its analysis-size prescale uses a box average, which reads each
 * source pixel once (a Lanczos pass over a large photo would cost far more and add nothing).
 */
import smartcropModule from 'smartcrop';
import type { Bitmap } from '../codecs/types.js';
import type { Rect } from './geometry.js';
import { boxShrink } from './boxshrink.js';
import { resize } from './resample.js';

/** The part of smartcrop.js's API used here (its bundled typings assume a DOM). */
interface SmartcropImage {
  width: number;
  height: number;
  data: Uint8Array;
}
interface SmartcropLib {
  crop(image: SmartcropImage, options: {
    width: number;
    height: number;
    imageOperations: {
      open(image: SmartcropImage): Promise<SmartcropImage>;
      resample(image: SmartcropImage, width: number, height: number): SmartcropImage;
      getData(image: SmartcropImage): Promise<SmartcropImage>;
    };
  }): Promise<{ topCrop: { x: number; y: number; width: number; height: number } }>;
}

// A static import (CommonJS interop gives module.exports) rather than a require from a file
// path, so bundlers follow it and nothing has to sit in node_modules beside a bundle.
const smartcrop = smartcropModule as unknown as SmartcropLib;

/** imageOperations feeds bitmaps to smartcrop.js without a canvas. */
const imageOperations = {
  open: (image: SmartcropImage) => Promise.resolve(image),
  resample: (image: SmartcropImage, width: number, height: number): SmartcropImage => {
    const w = Math.max(1, Math.floor(width));
    const h = Math.max(1, Math.floor(height));
    return w <= image.width && h <= image.height ? boxShrink(image, w, h) : resize(image, w, h);
  },
  getData: (image: SmartcropImage) => Promise.resolve(image),
};

/**
 * findSmartCrop returns the most interesting width:height-shaped rectangle of b, as large as
 * fits in the image, or undefined when no target aspect is given (a side <= 0).
 */
export async function findSmartCrop(b: Bitmap, width: number, height: number): Promise<Rect | undefined> {
  if (!(width > 0 && height > 0) || b.width === 0 || b.height === 0) return undefined;
  const { topCrop } = await smartcrop.crop(b, { width, height, imageOperations });
  if (!topCrop) return undefined;
  const x0 = Math.max(0, Math.min(b.width - 1, Math.floor(topCrop.x)));
  const y0 = Math.max(0, Math.min(b.height - 1, Math.floor(topCrop.y)));
  const x1 = Math.min(b.width, Math.max(x0 + 1, x0 + Math.floor(topCrop.width)));
  const y1 = Math.min(b.height, Math.max(y0 + 1, y0 + Math.floor(topCrop.height)));
  return { x0, y0, x1, y1 };
}
