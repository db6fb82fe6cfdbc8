/**
 * Hostile inputs for the attack tests, built in code rather than committed: pixel floods that
 * are all header, decoder-hang shapes, circular TIFFs, compression bombs and endless bodies —
 * plus the small harness the attack tests share (an in-process proxy on 127.0.0.1:0, a raw HTTP
 * client that times each answer, and a memory watch).
 *
 * Every generator returns a few kilobytes at most, however large the image it claims to be.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { imageproxy, type HandlerOptions, type ImageProxyHandler } from '../../lib/handler.js';
import { crc32 } from '../../lib/cache/framing.js';
import { serveHandler } from './serve.js';

// ---------------------------------------------------------------------------------------------
// JPEG

/** seg returns a JPEG marker segment: 0xFF, marker, 16-bit length (including itself), payload. */
export function seg(marker: number, payload: number[] | Buffer): Buffer {
  const p = Buffer.from(payload);
  const head = Buffer.from([0xff, marker, ((p.length + 2) >> 8) & 0xff, (p.length + 2) & 0xff]);
  return Buffer.concat([head, p]);
}

/** JpegParts lets a test break one piece of an otherwise well-formed baseline greyscale JPEG. */
export interface JpegParts {
  /** Declared width (SOF0). */
  width: number;
  /** Declared height (SOF0). */
  height: number;
  /** Sampling factor byte of the single component (0x11 = 1x1). */
  sampling?: number;
  /** Replace the DHT segment (undefined: one DC and one AC table, each with one 1-bit code). */
  dht?: Buffer;
  /** Replace the SOS segment. */
  sos?: Buffer;
  /** Segments inserted right after the SOF, e.g. a second SOF the header probe does not read. */
  afterSof?: Buffer;
  /** Bytes of entropy-coded data (all zero bits: DC diff 0, then end-of-block); default 4096. */
  scanBytes?: number;
  /** Leave out the final EOI marker. */
  noEoi?: boolean;
}

/** DQT_ALL_ONES is a quantisation table 0 of 64 ones. */
const DQT_ALL_ONES = seg(0xdb, [0x00, ...new Array<number>(64).fill(1)]);

/** sof0 is a baseline frame header for one 8-bit component. */
export function sof0(width: number, height: number, sampling = 0x11): Buffer {
  return seg(0xc0, [8, (height >> 8) & 0xff, height & 0xff, (width >> 8) & 0xff, width & 0xff, 1, 1, sampling, 0]);
}

/** DHT_MINIMAL holds DC table 0 and AC table 0, each one code of length 1 (symbol 0: diff 0 / EOB). */
export const DHT_MINIMAL = seg(0xc4, [
  0x00, 1, ...new Array<number>(15).fill(0), 0x00,
  0x10, 1, ...new Array<number>(15).fill(0), 0x00,
]);

/** SOS_ONE is a scan over component 1 with tables 0/0, full spectral range. */
export const SOS_ONE = seg(0xda, [1, 1, 0x00, 0, 63, 0]);

/**
 * jpeg builds a baseline greyscale JPEG from parts. With the defaults and a small size it is a
 * valid image (every block decodes to flat grey), which the tests use as a control.
 */
export function jpeg(parts: JpegParts): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    DQT_ALL_ONES,
    sof0(parts.width, parts.height, parts.sampling),
    parts.afterSof ?? Buffer.alloc(0),
    parts.dht ?? DHT_MINIMAL,
    parts.sos ?? SOS_ONE,
    Buffer.alloc(parts.scanBytes ?? 4096),
    parts.noEoi ? Buffer.alloc(0) : Buffer.from([0xff, 0xd9]),
  ]);
}

/** jpegFlood is a ~5 KB JPEG whose header claims width x height (64250x64250 is the classic). */
export function jpegFlood(width = 64250, height = 64250): Buffer {
  return jpeg({ width, height });
}

// ---------------------------------------------------------------------------------------------
// PNG

/** crc32 is the CRC-32 PNG chunks carry; the cache framing's implementation serves. */
export { crc32 };

/** chunk returns one PNG chunk with a correct CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** png builds an 8-bit greyscale PNG of the declared size whose IDAT is `idat` (zlib data). */
export function png(width: number, height: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** pngValid is a correct greyscale PNG of width x height (filter 0, mid grey). */
export function pngValid(width: number, height: number): Buffer {
  const row = Buffer.alloc(1 + width, 0x80);
  row[0] = 0;
  return png(width, height, zlib.deflateSync(Buffer.concat(new Array<Buffer>(height).fill(row))));
}

/** pngFlood is a PNG claiming width x height with a few bytes of image data. */
export function pngFlood(width = 100_000, height = 100_000): Buffer {
  return png(width, height, zlib.deflateSync(Buffer.alloc(64)));
}

/**
 * pngInflateBomb is a 16x16 PNG whose IDAT inflates to `inflated` bytes (the header allows
 * 272): a zlib bomb inside a well-formed image. Built by streaming, so it never holds `inflated`.
 */
export async function pngInflateBomb(inflated = 64 * 1024 * 1024): Promise<Buffer> {
  return png(16, 16, await compressZeros(zlib.createDeflate({ level: 9 }), inflated));
}

// ---------------------------------------------------------------------------------------------
// GIF

/** GIF_1PX_LZW is the LZW data of one pixel of index 0 (min code size 2: clear, 0, end). */
const GIF_1PX_LZW = [0x02, 0x02, 0x44, 0x01, 0x00];

/** gifFrame is a graphic control extension (delay 1 cs) plus a 1x1 image at (x, y). */
function gifFrame(x: number, y: number): number[] {
  return [
    0x21, 0xf9, 4, 0x00, 1, 0, 0, 0,
    0x2c, x & 0xff, x >> 8, y & 0xff, y >> 8, 1, 0, 1, 0, 0x00,
    ...GIF_1PX_LZW,
  ];
}

/**
 * gif builds a GIF89a with a width x height canvas, a two-colour global table, a NETSCAPE loop
 * extension and `frames` 1x1 frames walking along the canvas.
 */
export function gif(width: number, height: number, frames = 1): Buffer {
  const head = [
    ...Buffer.from('GIF89a', 'latin1'), width & 0xff, (width >> 8) & 0xff, height & 0xff, (height >> 8) & 0xff,
    0x80, 0, 0, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0', 'latin1'), 3, 1, 0, 0, 0,
  ];
  const body: number[] = [];
  for (let i = 0; i < frames; i++) body.push(...gifFrame(i % width, Math.floor(i / width) % height));
  return Buffer.from([...head, ...body, 0x3b]);
}

/** gifFlood is a one-frame GIF whose canvas is 65535x65535. */
export function gifFlood(): Buffer {
  return gif(65535, 65535, 1);
}

// ---------------------------------------------------------------------------------------------
// TIFF

/** TiffOptions shape tiff(). */
export interface TiffOptions {
  /** Offset of the next IFD; 8 points the first IFD at itself. Default 0 (no next IFD). */
  nextIfd?: number;
}

/** tiff builds a little-endian, uncompressed 8-bit greyscale TIFF claiming width x height. */
export function tiff(width: number, height: number, opts: TiffOptions = {}): Buffer {
  const entries: Array<[number, number, number, number]> = [
    // tag, type (3 SHORT, 4 LONG), count, value
    [256, 4, 1, width],
    [257, 4, 1, height],
    [258, 3, 1, 8],
    [259, 3, 1, 1],
    [262, 3, 1, 1],
    [273, 4, 1, 0], // strip offset, patched below
    [277, 3, 1, 1],
    [278, 4, 1, height],
    [279, 4, 1, 0], // strip byte count, patched below
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = 8 + ifdSize;
  const dataLength = Math.min(width * height, 4096);
  entries[5][3] = dataOffset;
  entries[8][3] = Math.min(width * height, 0xffffffff);
  const b = Buffer.alloc(dataOffset + dataLength, 0x80);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const e = 10 + i * 12;
    b.writeUInt16LE(tag, e);
    b.writeUInt16LE(type, e + 2);
    b.writeUInt32LE(count, e + 4);
    if (type === 3) { b.writeUInt16LE(value, e + 8); b.writeUInt16LE(0, e + 10); } else b.writeUInt32LE(value, e + 8);
  });
  b.writeUInt32LE(opts.nextIfd ?? 0, 10 + entries.length * 12);
  return b;
}

/** tiffFlood is a TIFF claiming 100000x100000 with 4 KB of pixels. */
export function tiffFlood(): Buffer {
  return tiff(100_000, 100_000);
}

/** tiffCircular is a valid-looking 8x8 TIFF whose first IFD names itself as the next IFD. */
export function tiffCircular(): Buffer {
  return tiff(8, 8, { nextIfd: 8 });
}

// ---------------------------------------------------------------------------------------------
// BMP and WebP

/** bmp builds a 24-bit BMP with a BITMAPINFOHEADER claiming width x height and `dataBytes` of pixels. */
export function bmp(width: number, height: number, dataBytes = 4096): Buffer {
  const b = Buffer.alloc(54 + dataBytes, 0x40);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(0, 6);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(0, 30);
  b.writeUInt32LE(0, 34);
  b.fill(0, 38, 54);
  return b;
}

/** bmpFlood is a BMP claiming 65535x65535. */
export function bmpFlood(): Buffer {
  return bmp(65535, 65535);
}

/** webpFlood is an extended (VP8X) WebP whose canvas is 16384x16384, followed by a tiny VP8L chunk. */
export function webpFlood(side = 16384): Buffer {
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(side - 1, 12, 3);
  vp8x.writeUIntLE(side - 1, 15, 3);
  const vp8l = Buffer.from([...Buffer.from('VP8L', 'latin1'), 5, 0, 0, 0, 0x2f, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, vp8l]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/**
 * webpCanvasMismatch is an extended WebP whose VP8X canvas is 1x1 (what the header probe reads)
 * while its VP8L bitstream claims 16384x16384 (what the decoder would allocate).
 */
export function webpCanvasMismatch(): Buffer {
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4); // canvas 1x1: the width-1 and height-1 fields stay zero
  const vp8l = Buffer.alloc(8 + 64);
  vp8l.write('VP8L', 0, 'latin1');
  vp8l.writeUInt32LE(64, 4);
  vp8l[8] = 0x2f;
  vp8l.writeUInt32LE((16383 | (16383 << 14)) >>> 0, 9);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, vp8l]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

// ---------------------------------------------------------------------------------------------
// Other bodies

/** noise is random bytes that start with no known image signature. */
export function noise(n = 4096): Buffer {
  const b = randomBytes(n);
  b.write('NOISE', 0, 'latin1');
  return b;
}

/** SVG_WITH_SCRIPT is an SVG that would run a script if a browser rendered it as a document. */
export const SVG_WITH_SCRIPT = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">' +
  '<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>\n',
);

/**
 * gzipBomb returns concatenated gzip members that decompress to `inflated` zero bytes (Node's
 * gunzip reads every member); 100 MB of zeros costs about 100 KB.
 */
export function gzipBomb(inflated = 100 * 1024 * 1024): Buffer {
  const member = zlib.gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  return Buffer.concat(new Array<Buffer>(Math.ceil(inflated / (1024 * 1024))).fill(member));
}

/**
 * streamBomb compresses `inflated` zero bytes with `encoding` by streaming one shared 1 MB block,
 * so building a bomb never holds what it expands to.
 */
export async function streamBomb(encoding: 'gzip' | 'deflate' | 'br', inflated = 100 * 1024 * 1024): Promise<Buffer> {
  // Fast settings: zeros compress to almost nothing at any level, and building must stay quick.
  const z = encoding === 'gzip' ? zlib.createGzip({ level: 1 }) : encoding === 'deflate' ? zlib.createDeflate({ level: 1 })
    : zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
  return compressZeros(z, inflated);
}

/** compressZeros streams `inflated` zero bytes through z a megabyte at a time and returns the output. */
async function compressZeros(z: zlib.Deflate | zlib.Gzip | zlib.BrotliCompress, inflated: number): Promise<Buffer> {
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => { z.on('end', resolve); z.on('error', reject); });
  const block = Buffer.alloc(1024 * 1024);
  for (let n = 0; n < inflated; n += block.length) {
    if (!z.write(block)) await new Promise<void>((r) => z.once('drain', r));
  }
  z.end();
  await done;
  return Buffer.concat(out);
}

/** EndlessStats counts what an endless-body route wrote before its client went away. */
export interface EndlessStats {
  /** Bytes of body written so far. */
  sent: number;
  /** Whether the response ended because the client closed the connection. */
  clientClosed: boolean;
}

/**
 * endlessBody returns a request handler that streams `total` zero bytes lazily (one shared 64 KB
 * chunk, with backpressure), with or without Content-Length, and records how much it wrote.
 */
export function endlessBody(total: number, withLength: boolean, stats: EndlessStats, contentType = 'image/png'):
  (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const block = Buffer.alloc(64 * 1024);
  return (_req, res) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', contentType);
    if (withLength) res.setHeader('Content-Length', total);
    res.on('close', () => { if (!res.writableFinished) stats.clientClosed = true; });
    const pump = (): void => {
      while (stats.sent < total && !res.destroyed) {
        const n = Math.min(block.length, total - stats.sent);
        stats.sent += n;
        if (!res.write(n === block.length ? block : block.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  };
}

// ---------------------------------------------------------------------------------------------
// Harness

/** Answer is one response as the raw client saw it. */
export interface Answer {
  /** HTTP status. */
  status: number;
  /** Response headers (lower-case names). */
  headers: http.IncomingHttpHeaders;
  /** The whole body as received (no content decoding). */
  body: Buffer;
  /** Milliseconds from sending the request to the end of the body. */
  ms: number;
}

/**
 * get sends `GET path` verbatim (no normalisation, no redirects, no decompression) to base on a
 * fresh connection and reads the whole answer; it rejects if nothing complete arrives in
 * `timeoutMs`.
 */
export function get(base: string, path: string, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<Answer> {
  const u = new URL(base);
  // Node refuses to send spaces, controls and characters past U+00FF; send those as a browser
  // would, percent-encoded UTF-8, and everything else verbatim.
  path = path.replace(/[^\u0021-\u00ff]/gu, (ch) => encodeURIComponent(ch));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'GET', agent: false, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`GET ${path}: no answer within ${opts.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** summary describes an answer for a failure message: the text of an error, or the type and size of an image. */
export function summary(r: Answer): string {
  return r.status >= 400 ? JSON.stringify(r.body.toString().trim().slice(0, 200)) : `(${String(r.headers['content-type'])}, ${r.body.length} bytes)`;
}

/** Proxy is an in-process imageproxy handler served on 127.0.0.1:0. */
export interface Proxy {
  /** Base URL, e.g. http://127.0.0.1:40000. */
  url: string;
  /** The handler, for its config, metrics and close. */
  handler: ImageProxyHandler;
  /** The HTTP server it is mounted on. */
  server: http.Server;
  /** close stops the server (cutting open connections) and the handler's pool and cache. */
  close(): Promise<void>;
}

/**
 * startProxy serves imageproxy(opts) — the real handler, and the real pool unless opts.transformer,
 * with the standalone server's health check and metrics — on 127.0.0.1:0.
 */
export async function startProxy(opts: HandlerOptions): Promise<Proxy> {
  const quiet = { info() {}, warn() {}, error() {} };
  const handler = imageproxy({ logger: quiet, healthCheck: true, metricsEndpoint: true, ...opts });
  return { ...(await serveHandler(handler)), handler };
}

/** healthy asserts-by-throwing that the proxy still answers /health-check with 200 OK within 2 s. */
export async function healthy(base: string): Promise<void> {
  const r = await get(base, '/health-check', { timeoutMs: 2_000 });
  if (r.status !== 200 || r.body.toString() !== 'OK') throw new Error(`GET /health-check = ${r.status} ${JSON.stringify(r.body.toString())}, want 200 "OK"`);
}

/** MemoryWatch samples this process's resident set size (workers included) until stopped. */
export class MemoryWatch {
  /** RSS when the watch started, in bytes. */
  readonly baseline = process.memoryUsage.rss();
  /** Highest RSS sampled so far, in bytes. */
  peak = this.baseline;
  private readonly timer = setInterval(() => { this.peak = Math.max(this.peak, process.memoryUsage.rss()); }, 5);

  /** stop ends sampling and returns peak - baseline in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return this.peak - this.baseline;
  }
}
