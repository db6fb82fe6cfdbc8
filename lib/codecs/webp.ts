/**
 * WebP decoding through @jsquash/webp's wasm build of libwebp (decode only).
 *
 * The emscripten glue would fetch its .wasm by URL; in Node we read and compile it ourselves,
 * once per thread (worker threads each have their own module instance).
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { badImage, hasTransparency, type Bitmap } from './types.js';

/** WebpHeader is what the RIFF container and first chunk say about the image. */
export interface WebpHeader { width: number; height: number; animated: boolean; alpha: boolean }

/** readWebpHeader reads the canvas size from a VP8, VP8L or VP8X first chunk. */
export function readWebpHeader(b: Uint8Array): WebpHeader {
  if (b.length < 30) throw badImage('The WebP file is truncated');
  const fourcc = String.fromCharCode(b[12], b[13], b[14], b[15]);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (fourcc === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw badImage('The WebP VP8 header is not valid');
    return { width: dv.getUint16(26, true) & 0x3fff, height: dv.getUint16(28, true) & 0x3fff, animated: false, alpha: false };
  }
  if (fourcc === 'VP8L') {
    if (b[20] !== 0x2f) throw badImage('The WebP VP8L header is not valid');
    const v = dv.getUint32(21, true);
    return { width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1, animated: false, alpha: ((v >>> 28) & 1) === 1 };
  }
  if (fourcc === 'VP8X') {
    const flags = b[20];
    const w = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
    const h = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
    return { width: w, height: h, animated: (flags & 0x02) !== 0, alpha: (flags & 0x10) !== 0 };
  }
  throw badImage('The WebP file has an unknown first chunk');
}

type WebpDecodeFn = (buf: ArrayBuffer) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
let decoder: Promise<WebpDecodeFn> | undefined;

/** loadDecoder compiles the libwebp wasm from node_modules and initialises the glue with it. */
async function loadDecoder(): Promise<WebpDecodeFn> {
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm');
  // TypeScript's ES lib has no WebAssembly typings without DOM; Node provides the global.
  const wa = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<object> } }).WebAssembly;
  const wasm = await wa.compile(await readFile(wasmPath));
  const mod = (await import('@jsquash/webp/decode.js')) as unknown as {
    init(m: object): Promise<void>;
    default: WebpDecodeFn;
  };
  await mod.init(wasm);
  return mod.default;
}

/**
 * wholeBuffer returns an ArrayBuffer holding exactly bytes, as the decoder wants. A Buffer's
 * slice() is a view, and a small Buffer (fs.readFileSync, Buffer.from) lives in Node's shared
 * pool, so bytes.slice().buffer would be the whole pool: copy into a buffer of its own instead.
 */
function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** decodeWebp decodes a still lossy or lossless WebP (with or without alpha) to RGBA. */
export async function decodeWebp(bytes: Uint8Array): Promise<{ bitmap: Bitmap; hasAlpha: boolean }> {
  const hd = readWebpHeader(bytes);
  if (hd.animated) throw badImage('Animated WebP is not supported');
  decoder ??= loadDecoder().catch((err: unknown) => {
    decoder = undefined; // let a later call retry a failed load
    throw err;
  });
  const decode = await decoder;
  let img: { width: number; height: number; data: Uint8ClampedArray };
  try {
    img = await decode(wholeBuffer(bytes));
  } catch (err) {
    throw badImage('The WebP image is corrupt or uses a feature we cannot decode', err);
  }
  if (!img || img.data.length !== img.width * img.height * 4) throw badImage('The WebP image could not be decoded');
  const data = new Uint8Array(img.data);
  return { bitmap: { width: img.width, height: img.height, data }, hasAlpha: hasTransparency(data) };
}
