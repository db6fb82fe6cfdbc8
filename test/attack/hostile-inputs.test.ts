/**
 * Hostile inputs, end to end: each one is served by a local origin and requested through the
 * real handler with the real worker pool and codecs. Every answer must be the expected status,
 * arrive within a few seconds, keep memory bounded, and leave the server answering /health-check.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrigin, type Origin, type OriginRoute } from '../helpers/origin.js';
import {
  MemoryWatch, SVG_WITH_SCRIPT, bmp, bmpFlood, endlessBody, get, gif, gifFlood, gzipBomb, healthy, jpeg,
  jpegFlood, noise, pngFlood, pngInflateBomb, pngValid, sof0, startProxy, streamBomb, summary, tiff,
  tiffCircular, tiffFlood, webpCanvasMismatch, webpFlood, type EndlessStats, type Proxy,
} from '../helpers/hostile.js';
import { signURL } from '../../lib/request/signature.js';
import { emptyOptions } from '../../lib/request/options.js';
import { MemoryCache } from '../../lib/cache/memory.js';

/** FAST_MS is how long a refusal may take: hostile input must be turned away, not worked on. */
const FAST_MS = 5_000;
/**
 * MEMORY_BUDGET bounds the growth of this process's RSS (workers included) over the hostile table:
 * the 50 MB source limit read by the bombs, decoder working sets of the small images, and GC
 * slack come to about 200 MB; decoding any one of the floods would need gigabytes (64250² RGBA is
 * 16 GB).
 */
const MEMORY_BUDGET = 384 * 1024 * 1024;

// Reproducer from jpeg-js issue #105 (CVE-2022-25851, infinite loop: SOF1 with no components);
// bytes posted in the public issue https://github.com/jpeg-js/jpeg-js/issues/105 (jpeg-js is MIT).
const CVE_2022_25851 = Buffer.from('ffd8ffc1f151d800ff51d800ffdaffde', 'hex');
// Reproducer from jpeg-js issue #53 (fixed with the CVE-2020-8175 memory limits: loop/OOM on a
// fuzzed header); bytes posted in https://github.com/jpeg-js/jpeg-js/issues/53 (jpeg-js is MIT).
const JPEGJS_ISSUE_53 = Buffer.from(
  'ffd8ffc09dfdb0ffff0e5296bd7fbbc4f9579096bd7fbbfc0e80d50000ffff36fa400100236701bf73ffaf8003' +
  'a57f097f5e000000008023c4f9579096bd7fbb008000001500b34e8c018fda5212', 'hex');

const TYPE = (t: string): Record<string, string> => ({ 'Content-Type': t });

let origin: Origin;
let open: Proxy; // defaults, private networks allowed (the origin is on 127.0.0.1)
let tight: Proxy; // 1 MP pixel budget, 2 s time limit
let signed: Proxy; // signature key required
const SIGNING_KEY = Buffer.from('attack-suite-key');
let watch: MemoryWatch | undefined;

before(async () => {
  origin = await startOrigin({ '/ok.png': { headers: TYPE('image/png'), body: pngValid(8, 8) } });
  open = await startProxy({ allowPrivateNetworks: true, workers: 1, timeoutMs: 10_000 });
  tight = await startProxy({ allowPrivateNetworks: true, workers: 1, timeoutMs: 2_000, limits: { maxPixels: 1_000_000, maxOutputSide: 8192 } });
  signed = await startProxy({ allowPrivateNetworks: true, workers: 1, signatureKeys: [SIGNING_KEY] });
  // Warm the pools so worker start-up is neither timed nor counted as growth.
  // (A busy machine may take longer than tight's 2 s limit to start a worker: retry.)
  for (const p of [open, tight]) {
    let status = 0;
    for (let i = 0; i < 3 && status !== 200; i++) status = (await get(p.url, `/4x/${origin.url}/ok.png`)).status;
    assert.equal(status, 200, 'warm-up transform failed');
  }
  watch = new MemoryWatch();
});

after(async () => {
  watch?.stop();
  await Promise.all([open.close(), tight.close(), signed.close()]);
  await origin.close();
});

/** Case is one hostile body, how it is requested, and the status it must get. */
interface Case {
  /** What the input is, for failure messages. */
  name: string;
  /** How the origin serves it. */
  route: OriginRoute;
  /** Option segment ('' = no options, served unchanged). */
  options: string;
  /** Acceptable statuses. */
  want: number | number[];
  /** Proxy to ask (default: `open`). */
  proxy?: () => Proxy;
}

let seq = 0;
/** check serves route at a fresh path, requests it, and asserts status, time and health. */
async function check(c: Case): Promise<void> {
  const path = `/h${++seq}`;
  origin.set(path, c.route);
  const p = (c.proxy ?? (() => open))();
  const req = c.options ? `/${c.options}/${origin.url}${path}` : `/${origin.url}${path}`;
  const r = await get(p.url, req);
  const want = Array.isArray(c.want) ? c.want : [c.want];
  assert.ok(want.includes(r.status), `GET ${req} (${c.name}) = ${r.status} ${summary(r)}, want ${want.join(' or ')}`);
  assert.ok(r.ms < FAST_MS, `GET ${req} (${c.name}) took ${r.ms} ms, want < ${FAST_MS}`);
  await healthy(p.url);
}

const img = (type: string, body: Buffer): OriginRoute => ({ headers: TYPE(type), body });

test('pixel floods declared in headers alone are refused with 422 before decoding', async () => {
  const cases: Case[] = [
    { name: 'JPEG 64250x64250 (~4 KB)', route: img('image/jpeg', jpegFlood()), options: '100x100', want: 422 },
    { name: 'PNG 100000x100000', route: img('image/png', pngFlood()), options: '100x100', want: 422 },
    { name: 'PNG 65535x65535', route: img('image/png', pngFlood(65535, 65535)), options: '100x100', want: 422 },
    { name: 'GIF 65535x65535 canvas', route: img('image/gif', gifFlood()), options: '100x100', want: 422 },
    { name: 'TIFF 100000x100000', route: img('image/tiff', tiffFlood()), options: '100x100', want: 422 },
    { name: 'BMP 65535x65535', route: img('image/bmp', bmpFlood()), options: '100x100', want: 422 },
    { name: 'BMP 65535x-65535 (top-down)', route: img('image/bmp', bmp(65535, -65535)), options: '100x100', want: 422 },
    { name: 'WebP VP8X 16384x16384', route: img('image/webp', webpFlood()), options: '100x100', want: 422 },
    // Sniffed rather than declared: the type check must not be the only gate.
    { name: 'JPEG flood as octet-stream', route: img('application/octet-stream', jpegFlood()), options: '10x', want: 422 },
    // The budget is exact: one row over a lowered 1 MP budget is refused, just under it a 4 KB
    // file may decode to a whole megapixel (the amplification maxPixels exists to bound).
    { name: 'JPEG 1000x1001, 1 MP budget', route: img('image/jpeg', jpeg({ width: 1000, height: 1001 })), options: '10x', want: 422, proxy: () => tight },
    { name: 'JPEG 999x999 of 4 KB, 1 MP budget', route: img('image/jpeg', jpeg({ width: 999, height: 999 })), options: '10x', want: 200, proxy: () => tight },
  ];
  for (const c of cases) await check(c);
});

test('controls: the generators make valid images when the sizes are small', async () => {
  // Without these the flood cases could pass on a malformed generator rather than on the limit.
  const cases: Case[] = [
    { name: 'JPEG 16x16', route: img('image/jpeg', jpeg({ width: 16, height: 16 })), options: '4x', want: 200 },
    { name: 'PNG 8x8', route: img('image/png', pngValid(8, 8)), options: '4x', want: 200 },
    { name: 'GIF 8x8', route: img('image/gif', gif(8, 8)), options: '4x', want: 200 },
    { name: 'TIFF 8x8', route: img('image/tiff', tiff(8, 8)), options: '4x', want: 200 },
    { name: 'BMP 8x8', route: img('image/bmp', bmp(8, 8, 8 * 8 * 3)), options: '4x', want: 200 },
  ];
  for (const c of cases) await check(c);
});

test('decoder traps (jpeg-js CVE classes, malformed tables, circular TIFF, truncation, noise) get 422 fast', async () => {
  const dht = (payload: number[]): Buffer => Buffer.from([0xff, 0xc4, 0, payload.length + 2, ...payload]);
  const cases: Case[] = [
    { name: 'CVE-2022-25851 reproducer (SOF1 without components)', route: img('image/jpeg', CVE_2022_25851), options: '10x', want: 422 },
    { name: 'jpeg-js #53 reproducer (CVE-2020-8175 class)', route: img('image/jpeg', JPEGJS_ISSUE_53), options: '10x', want: 422 },
    // The header probe sees a 1x1 frame; the decoder would see the second, 64250x64250 one.
    { name: 'JPEG with a 1x1 SOF then a 64250x64250 SOF', route: img('image/jpeg', jpeg({ width: 1, height: 1, afterSof: sof0(64250, 64250) })), options: '10x', want: 422 },
    { name: 'JPEG Huffman table with no codes', route: img('image/jpeg', jpeg({ width: 16, height: 16, dht: dht([0x00, ...new Array<number>(16).fill(0)]) })), options: '10x', want: 422 },
    { name: 'JPEG zero-length DHT segment', route: img('image/jpeg', jpeg({ width: 16, height: 16, dht: Buffer.from([0xff, 0xc4, 0, 2]) })), options: '10x', want: 422 },
    { name: 'JPEG SOS naming a missing component', route: img('image/jpeg', jpeg({ width: 16, height: 16, sos: Buffer.from([0xff, 0xda, 0, 8, 1, 9, 0, 0, 63, 0]) })), options: '10x', want: 422 },
    { name: 'JPEG sampling factor 0', route: img('image/jpeg', jpeg({ width: 16, height: 16, sampling: 0 })), options: '10x', want: 422 },
    { name: 'JPEG 990x990 with the scan cut after 10 bytes', route: img('image/jpeg', jpeg({ width: 990, height: 990, scanBytes: 10, noEoi: true })), options: '10x', want: 422, proxy: () => tight },
    // jpeg-js's tolerant mode turns these into a flat image rather than an error; either is
    // acceptable as long as it is quick and never a 5xx.
    { name: 'JPEG zero-length SOS', route: img('image/jpeg', jpeg({ width: 16, height: 16, sos: Buffer.from([0xff, 0xda, 0, 0]) })), options: '10x', want: [200, 422] },
    { name: 'JPEG SOS with zero components', route: img('image/jpeg', jpeg({ width: 16, height: 16, sos: Buffer.from([0xff, 0xda, 0, 6, 0, 0, 63, 0]) })), options: '10x', want: [200, 422] },
    { name: 'WebP with a 1x1 canvas around a 16384x16384 bitstream', route: img('image/webp', webpCanvasMismatch()), options: '10x', want: 422 },
    { name: 'PNG 16x16 whose IDAT inflates to 64 MB', route: img('image/png', await pngInflateBomb()), options: '10x', want: 422 },
    { name: 'TIFF whose IFD points at itself', route: img('image/tiff', tiffCircular()), options: '10x', want: 422 },
    { name: 'truncated GIF (cut mid-frame)', route: img('image/gif', gif(64, 64, 50).subarray(0, 600)), options: '10x', want: 422 },
    { name: 'noise labelled image/jpeg', route: img('image/jpeg', noise()), options: '10x', want: 422 },
    { name: 'empty body labelled image/png', route: img('image/png', Buffer.alloc(0)), options: '10x', want: 422 },
  ];
  for (const c of cases) await check(c);
});

test('a 400-frame GIF: over a lowered pixel budget 422, under the default one transformed in bounded time', async () => {
  const anim = gif(64, 64, 400); // 400 1x1 frames on a 64x64 canvas: 1.6 MP decoded
  await check({ name: '400 frames, 1 MP budget', route: img('image/gif', anim), options: '32x', want: 422, proxy: () => tight });
  await check({ name: '400 frames, default budget', route: img('image/gif', anim), options: '32x', want: 200 });
  const path = `/h${seq}`;
  const r = await get(open.url, `/32x/${origin.url}${path}`);
  assert.equal(r.headers['content-type'], 'image/gif');
  assert.equal(r.body.readUInt16LE(6), 32, `output GIF width = ${r.body.readUInt16LE(6)}, want 32`);
});

test('content types that are not a single image type are refused: 415 when ambiguous, 403 when not an image', async () => {
  const body = pngValid(8, 8);
  const cases: Case[] = [
    { name: 'image/png, text/html', route: img('image/png, text/html', body), options: '', want: 415 },
    { name: 'image/png, text/html (transform)', route: img('image/png, text/html', body), options: '4x', want: 415 },
    { name: 'two Content-Type headers', route: { headers: { 'Content-Type': ['image/png', 'text/html'] }, body }, options: '', want: 415 },
    // Not allowed, and not an image when sniffed: 403, as the Go server answers.
    { name: 'text/html', route: img('text/html', body), options: '', want: 403 },
    { name: 'sniffed HTML (no type)', route: { body: '<html><script>alert(1)</script></html>' }, options: '', want: 403 },
  ];
  for (const c of cases) await check(c);
});

test('an SVG with a script is served inert: CSP without scripts, sandboxed, nosniff', async () => {
  for (const options of ['', '100x']) {
    origin.set('/evil.svg', img('image/svg+xml', SVG_WITH_SCRIPT));
    const req = options ? `/${options}/${origin.url}/evil.svg` : `/${origin.url}/evil.svg`;
    const r = await get(open.url, req);
    assert.equal(r.status, 200, `GET ${req} = ${r.status}, want 200`);
    assert.ok(r.body.equals(SVG_WITH_SCRIPT), `GET ${req}: the SVG was altered`);
    assert.equal(r.headers['content-type'], 'image/svg+xml', `GET ${req} Content-Type`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', `GET ${req} X-Content-Type-Options`);
    const csp = String(r.headers['content-security-policy'] ?? '');
    assert.match(csp, /script-src 'none'/, `GET ${req} CSP = ${csp}, want script-src 'none'`);
    assert.match(csp, /default-src 'none'/, `GET ${req} CSP = ${csp}, want default-src 'none'`);
    assert.match(csp, /\bsandbox\b/, `GET ${req} CSP = ${csp}, want sandbox`);
  }
  await healthy(open.url);
});

test('compression bombs (gzip, deflate, brotli) stop at maxSourceBytes with 413', async () => {
  // Each is ~100 KB or less on the wire and 100 MB decoded; the limit is 50 MB.
  const bombs: Array<{ encoding: string; bomb: Buffer }> = [
    { encoding: 'gzip', bomb: gzipBomb(100 * 1024 * 1024) }, // concatenated gzip members
    { encoding: 'gzip', bomb: await streamBomb('gzip') }, // one gzip member
    { encoding: 'deflate', bomb: await streamBomb('deflate') },
    { encoding: 'br', bomb: await streamBomb('br') },
  ];
  for (const { encoding, bomb } of bombs) {
    assert.ok(bomb.length < 1024 * 1024, `${encoding} bomb is ${bomb.length} bytes`);
    const route: OriginRoute = { headers: { 'Content-Type': 'image/png', 'Content-Encoding': encoding }, body: bomb };
    await check({ name: `${encoding} bomb`, route, options: '', want: 413 });
    await check({ name: `${encoding} bomb (transform)`, route, options: '10x', want: 413 });
  }
});

test('a 400 MB body is cut off early, with and without Content-Length', async () => {
  const total = 400 * 1024 * 1024;
  for (const withLength of [true, false]) {
    const stats: EndlessStats = { sent: 0, clientClosed: false };
    const name = `400 MB ${withLength ? 'with' : 'without'} Content-Length`;
    await check({ name, route: { handler: endlessBody(total, withLength, stats) }, options: '', want: 413 });
    const deadline = Date.now() + 3_000;
    while (!stats.clientClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(stats.clientClosed, `${name}: the proxy never closed the origin connection (sent ${stats.sent} bytes)`);
    // 50 MB is the limit; allow socket buffers on top, but nowhere near the 400 MB offered.
    const bound = withLength ? 16 * 1024 * 1024 : 80 * 1024 * 1024;
    assert.ok(stats.sent < bound, `${name}: origin wrote ${stats.sent} bytes before the proxy hung up, want < ${bound}`);
  }
});

test('a slow-drip origin (1 byte per 200 ms) gets 504 at the time limit and is hung up on', async () => {
  const path = '/drip.png';
  origin.set(path, { headers: TYPE('image/png'), drip: { chunk: Buffer.from([0]), intervalMs: 200 } });
  const r = await get(tight.url, `/${origin.url}${path}`);
  assert.equal(r.status, 504, `slow drip = ${r.status} ${summary(r)}, want 504`);
  assert.ok(r.ms >= 1_900 && r.ms < 4_000, `slow drip answered after ${r.ms} ms, want about the 2000 ms limit`);
  await Promise.race([
    origin.whenAborted(path),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the origin connection stayed open after the 504')), 2_000)),
  ]);
  await healthy(tight.url);
});

test('bad signatures are 403, never 500; a good one passes', async () => {
  origin.set('/signed.png', img('image/png', pngValid(8, 8)));
  const remote = `${origin.url}/signed.png`;
  const good = signURL(SIGNING_KEY, remote);
  const other = signURL(SIGNING_KEY, `${origin.url}/other.png`);
  const standard = Buffer.from(good.replace(/=$/, ''), 'base64url').toString('base64'); // '+' and '/' alphabet
  const flipped = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
  const ok = await get(signed.url, `/s${good}/${remote}`);
  assert.equal(ok.status, 200, `correctly signed = ${ok.status} ${summary(ok)}, want 200`);
  const cases: Array<{ name: string; req: string }> = [
    { name: 'no signature', req: `/${remote}` },
    { name: 'empty', req: `/s/${remote}` },
    { name: 'empty with a size', req: `/10x,s/${remote}` },
    { name: 'short', req: `/sAAAA/${remote}` },
    { name: 'one character short', req: `/s${good.slice(0, 42)}/${remote}` },
    { name: 'overlong (4 KB)', req: `/s${'A'.repeat(4096)}/${remote}` },
    { name: 'twice', req: `/s${good}${good}/${remote}` },
    { name: 'not base64', req: `/s!!!!$$$$****@@@@~~~~/${remote}` },
    { name: 'percent-encoded garbage', req: `/s%00%ff%2F%2e%2e/${remote}` },
    { name: 'standard base64 alphabet', req: `/s${encodeURIComponent(standard)}/${remote}` },
    { name: 'all padding', req: `/s${'='.repeat(44)}/${remote}` },
    { name: 'first character changed', req: `/s${flipped}/${remote}` },
    { name: 'valid for another URL', req: `/s${other}/${remote}` },
    { name: 'valid signature on a different option set', req: `/10x,s${signURL(SIGNING_KEY, remote, { ...emptyOptions(), width: 20 })}/${remote}` },
  ];
  for (const { name, req } of cases) {
    const r = await get(signed.url, req);
    assert.equal(r.status, 403, `signature ${name}: GET ${req.slice(0, 80)} = ${r.status} ${summary(r)}, want 403`);
    assert.ok(r.ms < FAST_MS, `signature ${name} took ${r.ms} ms`);
  }
  await healthy(signed.url);
});

test('memory stayed bounded over every hostile input above', (t) => {
  assert.ok(watch, 'the memory watch never started');
  const grew = watch.stop();
  t.diagnostic(`RSS grew by ${Math.round(grew / 1048576)} MB`);
  assert.ok(grew < MEMORY_BUDGET, `RSS grew by ${Math.round(grew / 1048576)} MB, want < ${MEMORY_BUDGET / 1048576} MB`);
});

test('option abuse: huge outputs, absurd crops and junk options are refused or clamped, never a 500', async () => {
  origin.set('/small.png', img('image/png', pngValid(8, 8)));
  const cases: Array<{ opts: string; want: number[] }> = [
    { opts: '100000x100000,scaleUp', want: [422] },
    { opts: '8193x,scaleUp', want: [422] },
    { opts: '1e9x', want: [400, 422, 200] },
    { opts: '-5x-5', want: [400, 200] },
    { opts: 'NaNxInfinity', want: [400, 200] },
    { opts: 'cx-99999,cy-99999,cw99999999,ch99999999', want: [200, 400, 422] },
    { opts: 'r12345,q-1,fh,fv,sc,trim', want: [200, 400, 422] },
    { opts: `${'1x,'.repeat(2000)}1x`, want: [200, 400, 414, 431] },
  ];
  for (const { opts, want } of cases) {
    const r = await get(open.url, `/${opts}/${origin.url}/small.png`);
    assert.ok(want.includes(r.status), `options ${opts.slice(0, 40)}: ${r.status} ${summary(r)}, want ${want.join(' or ')}`);
    assert.ok(r.ms < FAST_MS, `options ${opts.slice(0, 40)} took ${r.ms} ms`);
  }
  await healthy(open.url);
});

test('an origin cannot set cookies or weaken the security headers', async () => {
  origin.set('/headers.png', {
    headers: {
      'Content-Type': 'image/png',
      'Set-Cookie': 'session=stolen; Path=/',
      'Content-Security-Policy': "script-src *",
      'X-Content-Type-Options': 'sniff',
      'Access-Control-Allow-Origin': 'https://evil.example',
      'Access-Control-Allow-Credentials': 'true',
      Link: '</x>; rel=preload',
    },
    body: pngValid(8, 8),
  });
  for (const opts of ['', '4x/']) {
    const r = await get(open.url, `/${opts}${origin.url}/headers.png`);
    assert.equal(r.status, 200, `GET /${opts}…/headers.png = ${r.status} ${summary(r)}`);
    assert.equal(r.headers['set-cookie'], undefined, 'Set-Cookie from the origin was passed on');
    assert.equal(r.headers['access-control-allow-credentials'], undefined, 'Access-Control-Allow-Credentials was passed on');
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(String(r.headers['content-security-policy']), /script-src 'none'/);
  }
});

test('error answers are inert text: a reflected script cannot run', async () => {
  const probes = [
    '/<script>alert(1)</script>',
    '/100x/<img src=x onerror=alert(1)>',
    `/${encodeURIComponent('<svg onload=alert(1)>')}/http://`,
  ];
  for (const reqPath of probes) {
    const r = await get(open.url, reqPath);
    assert.ok(r.status >= 400 && r.status < 500, `GET ${reqPath} = ${r.status} ${summary(r)}, want 4xx`);
    assert.match(String(r.headers['content-type']), /^text\/plain/, `GET ${reqPath} Content-Type`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', `GET ${reqPath} X-Content-Type-Options`);
    assert.match(String(r.headers['content-security-policy']), /script-src 'none'/, `GET ${reqPath} CSP`);
    assert.ok(!r.body.toString().includes('<script>'), `GET ${reqPath} reflected the markup: ${summary(r)}`);
  }
});

// BUG (lib/cache/responses.ts storageDecision + lib/handler.ts loadOriginal/loadVariant, C and P2):
// with passRequestHeaders naming Authorization or Cookie, a response fetched with one client's
// credentials is cached under the bare URL and served to every other client. RFC 9111 §3.5 forbids
// a shared cache to reuse a response to an Authorization request unless it is public, s-maxage or
// must-revalidate, and §4.1 requires the Vary'd request headers to match.
test('cache-credentials: a response fetched with one client\'s credentials is not served to another', async () => {
  const secret = pngValid(8, 8);
  // A different aspect ratio, so the two stay distinguishable after a 4x resize.
  const publicImage = pngValid(16, 12);
  origin.set('/private.png', {
    handler: (req, res) => {
      if (req.headers.authorization !== 'Bearer alice') {
        res.writeHead(401, { 'Content-Type': 'text/plain' });
        res.end('no');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=600' });
      res.end(secret);
    },
  });
  origin.set('/varies.png', {
    handler: (req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=600', Vary: 'Cookie' });
      res.end(req.headers.cookie === 'session=alice' ? secret : publicImage);
    },
  });
  const shared = await startProxy({
    allowPrivateNetworks: true, workers: 1, cache: new MemoryCache({ maxBytes: 1e7, maxAgeMs: 0 }),
    passRequestHeaders: ['Authorization', 'Cookie'],
  });
  try {
    const cases: Array<{ p: string; credentials: Record<string, string> }> = [
      { p: '/private.png', credentials: { Authorization: 'Bearer alice' } },
      { p: '/varies.png', credentials: { Cookie: 'session=alice' } },
    ];
    const leaks: string[] = [];
    for (const { p, credentials } of cases) {
      for (const opts of ['', '4x/']) {
        const alice = await get(shared.url, `/${opts}${origin.url}${p}`, { headers: credentials });
        assert.equal(alice.status, 200, `alice GET /${opts}…${p} = ${alice.status} ${summary(alice)}`);
        const anon = await get(shared.url, `/${opts}${origin.url}${p}`);
        if (anon.status === 200 && anon.body.equals(alice.body)) {
          leaks.push(`GET /${opts}…${p} without ${Object.keys(credentials)[0]} = 200 X-Cache ${String(anon.headers['x-cache'])} with the credentialed body`);
        }
      }
    }
    assert.deepEqual(leaks, [], `responses leaked across clients:\n${leaks.join('\n')}`);
  } finally {
    await shared.close();
  }
});

// BUG (lib/transform/transform.ts, T2; limits in lib/config.ts): maxPixels bounds only the decoded
// source, and the output only by maxOutputSide per side, so `8192x8192,scaleUp` turns a 70-byte
// 8x8 PNG into a 67 MP output (measured inline: 6-7 s of CPU and 400 MB peak RSS for PNG output,
// 860 MB for `,jpeg`; the worker's heap limit does not cover these ArrayBuffers). The output area
// should be held to the same pixel budget. Shown cheaply here under a 1 MP budget.
test('scaleUp cannot make an output larger than the pixel budget', async () => {
  origin.set('/tiny.png', img('image/png', pngValid(8, 8)));
  for (const opts of ['2000x2000,scaleUp', '1001x1000,scaleUp']) {
    const r = await get(tight.url, `/${opts}/${origin.url}/tiny.png`);
    assert.equal(r.status, 422, `GET /${opts}/…/tiny.png under a 1 MP budget = ${r.status} ${summary(r)}, want 422 (output over the pixel budget)`);
  }
  // Within the budget, scaling up still works.
  const ok = await get(tight.url, `/999x999,scaleUp/${origin.url}/tiny.png`);
  assert.equal(ok.status, 200, `GET /999x999,scaleUp/…/tiny.png = ${ok.status} ${summary(ok)}, want 200`);
});

test('an oversized request line is refused by the server and the proxy keeps serving', async () => {
  const r = await get(open.url, `/${'a'.repeat(64 * 1024)}`).catch((err: Error) => ({ status: -1, err }));
  assert.ok(r.status === 431 || r.status === 414 || r.status === 400 || r.status === -1,
    `a 64 KB request line = ${r.status}, want 400/414/431 or a closed connection`);
  await healthy(open.url);
});

test('a flood of transforms: the queue sheds with 503 + Retry-After, and /health-check stays quick', async () => {
  const flood = await startProxy({ allowPrivateNetworks: true, workers: 1, maxQueue: 2 });
  try {
    origin.set('/heavy.png', img('image/png', pngValid(2000, 2000)));
    assert.equal((await get(flood.url, `/4x/${origin.url}/ok.png`)).status, 200, 'warm-up');
    // Distinct option sets, so no two requests share a transform.
    const answers = Promise.all(Array.from({ length: 10 }, (_, i) => get(flood.url, `/${50 + i}x/${origin.url}/heavy.png`, { timeoutMs: 30_000 })));
    await new Promise((r) => setTimeout(r, 150));
    // Transforms run on the worker, not on the thread that answers requests.
    const h = await get(flood.url, '/health-check');
    assert.equal(h.status, 200);
    assert.ok(h.ms < 1_000, `/health-check took ${h.ms} ms during the flood, want < 1000`);
    const all = await answers;
    const statuses = all.map((a) => a.status);
    assert.ok(statuses.every((s) => s === 200 || s === 503), `statuses ${statuses.join(',')}, want only 200 and 503`);
    assert.ok(statuses.filter((s) => s === 503).length >= 1, `statuses ${statuses.join(',')}: nothing was shed with 1 worker and a queue of 2`);
    assert.ok(statuses.filter((s) => s === 200).length >= 1, `statuses ${statuses.join(',')}: nothing was served`);
    for (const a of all.filter((x) => x.status === 503)) assert.ok(Number(a.headers['retry-after']) > 0, `503 without Retry-After: ${JSON.stringify(a.headers)}`);
  } finally {
    await flood.close();
  }
});

