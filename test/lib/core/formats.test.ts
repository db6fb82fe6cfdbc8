// Output format negotiation through the core (#11): the resolved format in the cache key, Vary
// on every negotiable answer, one ETag per format and the 304s that go with it, signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCore } from '../../../lib/core/core.js';
import type { Answer } from '../../../lib/core/types.js';
import { defaultConfig, type Limits, type ProxyConfig } from '../../../lib/config.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { detectFormat, CONTENT_TYPES } from '../../../lib/codecs/index.js';
import { formatOptions, parseOptions, type Options } from '../../../lib/request/options.js';
import { signURL } from '../../../lib/request/signature.js';
import type { Transformer, TransformResult } from '../../../lib/transform/types.js';
import { FakeOrigin, Log, header, image, text } from './fakes.js';
import { makeAnimatedGif } from '../../helpers/codec-fixtures.js';

const PHOTO = 'https://images.example/photo.jpg';
const ANIM = 'https://images.example/anim.gif';
const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
const CHROME = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
const WEBP_ONLY = 'image/webp,*/*';
const ANY = '*/*';

/**
 * FormatTransformer answers with the canonical options and the source, typed as the format the
 * options ask for (or the source's own, as the plan would leave it), and records each run.
 */
class FormatTransformer implements Transformer {
  readonly runs: Options[] = [];
  async run(bytes: Uint8Array, options: Options, _limits: Limits): Promise<TransformResult> {
    this.runs.push(options);
    const format = options.format || (detectFormat(bytes) === 'gif' ? 'gif' : 'jpeg');
    return { bytes: new TextEncoder().encode(`${formatOptions(options)}|${bytes.length}`), contentType: CONTENT_TYPES[format] };
  }
  async close(): Promise<void> {}
}

/** setup builds a core with a memory cache over an origin holding a JPEG and an animated GIF. */
function setup(config: Partial<ProxyConfig> = {}) {
  const origin = new FakeOrigin();
  origin.set(PHOTO, image({ 'content-type': 'image/jpeg', etag: '"e1"', 'cache-control': 'max-age=600', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }, JPEG_BYTES));
  origin.set(ANIM, image({ 'content-type': 'image/gif', etag: '"g1"', 'cache-control': 'max-age=600' }, makeAnimatedGif()));
  const transformer = new FormatTransformer();
  const cache = new MemoryCache({ maxBytes: 10_000_000, maxAgeMs: 0 });
  const core = createCore({
    config: defaultConfig({ logger: new Log(), cache, autoFormat: ['avif', 'webp'], ...config }), origin, transformer,
  });
  const get = (url: string, headers: Record<string, string> = {}): Promise<Answer> => core.answer({ method: 'GET', url, headers });
  return { core, origin, transformer, get };
}

/** Seen is what a step checks of an answer. */
interface Seen { status: number; type?: string; vary?: string; etag?: string; cache?: string }

function seen(a: Answer): Seen {
  const out: Seen = { status: a.status };
  const type = header(a, 'content-type'), vary = header(a, 'vary'), etag = header(a, 'etag'), cache = header(a, 'x-cache');
  if (type !== undefined && a.status === 200) out.type = type;
  if (vary !== undefined) out.vary = vary;
  if (etag !== undefined) out.etag = etag;
  if (cache !== undefined) out.cache = cache;
  return out;
}

test('negotiation over one cache: a variant per format, Vary on each, a WebP never served to a JPEG-only client', async () => {
  const h = setup();
  const steps: Array<{ name: string; url: string; accept?: string; want: Seen; runs: number }> = [
    { name: 'Chrome gets AVIF', url: `/100x/${PHOTO}`, accept: CHROME, runs: 1,
      want: { status: 200, type: 'image/avif', vary: 'Accept', etag: '"e1.avif"', cache: 'MISS' } },
    { name: 'a WebP client gets WebP', url: `/100x/${PHOTO}`, accept: WEBP_ONLY, runs: 2,
      want: { status: 200, type: 'image/webp', vary: 'Accept', etag: '"e1.webp"', cache: 'MISS' } },
    { name: 'a JPEG-only client gets the JPEG fallback, with Vary', url: `/100x/${PHOTO}`, accept: ANY, runs: 3,
      want: { status: 200, type: 'image/jpeg', vary: 'Accept', etag: '"e1.jpeg"', cache: 'MISS' } },
    { name: 'Chrome again: the cached AVIF', url: `/100x/${PHOTO}`, accept: CHROME, runs: 3,
      want: { status: 200, type: 'image/avif', vary: 'Accept', etag: '"e1.avif"', cache: 'HIT' } },
    { name: 'JPEG-only again: the cached JPEG, not the WebP', url: `/100x/${PHOTO}`, accept: ANY, runs: 3,
      want: { status: 200, type: 'image/jpeg', vary: 'Accept', etag: '"e1.jpeg"', cache: 'HIT' } },
    { name: 'no Accept at all: JPEG', url: `/100x/${PHOTO}`, runs: 3,
      want: { status: 200, type: 'image/jpeg', vary: 'Accept', etag: '"e1.jpeg"', cache: 'HIT' } },
    { name: 'avif refused with q=0: WebP', url: `/100x/${PHOTO}`, accept: 'image/avif;q=0,image/webp', runs: 3,
      want: { status: 200, type: 'image/webp', vary: 'Accept', etag: '"e1.webp"', cache: 'HIT' } },
    { name: 'an explicit token wins, shares the variant, and has no Vary', url: `/100x,webp/${PHOTO}`, accept: CHROME, runs: 3,
      want: { status: 200, type: 'image/webp', etag: '"e1"', cache: 'HIT' } },
    { name: 'explicit jpeg to Chrome', url: `/100x,jpeg/${PHOTO}`, accept: CHROME, runs: 4,
      want: { status: 200, type: 'image/jpeg', etag: '"e1"', cache: 'MISS' } },
    { name: 'an untransformed original is passed through, not negotiated', url: `/x/${PHOTO}`, accept: CHROME, runs: 4,
      want: { status: 200, type: 'image/jpeg', etag: '"e1"', cache: 'HIT' } },
    { name: 'an animation is never AVIF: WebP', url: `/10x/${ANIM}`, accept: CHROME, runs: 5,
      want: { status: 200, type: 'image/webp', vary: 'Accept', etag: '"g1.webp"', cache: 'MISS' } },
    { name: 'an animation to an AVIF-only client: GIF', url: `/10x/${ANIM}`, accept: 'image/avif', runs: 6,
      want: { status: 200, type: 'image/gif', vary: 'Accept', etag: '"g1.gif"', cache: 'MISS' } },
    { name: 'the animation again: its cached WebP', url: `/10x/${ANIM}`, accept: CHROME, runs: 6,
      want: { status: 200, type: 'image/webp', vary: 'Accept', etag: '"g1.webp"', cache: 'HIT' } },
    { name: 'an origin error carries Vary too', url: `/100x/https://images.example/missing.jpg`, accept: CHROME, runs: 6,
      want: { status: 404, vary: 'Accept' } },
  ];
  for (const s of steps) {
    const a = await h.get(s.url, s.accept === undefined ? {} : { accept: s.accept });
    const got = seen(a);
    assert.deepEqual(got, s.want, `${s.name}: answer(GET ${s.url}, Accept ${s.accept}) = ${JSON.stringify(got)}, want ${JSON.stringify(s.want)}`);
    assert.equal(h.transformer.runs.length, s.runs, `${s.name}: transforms = ${h.transformer.runs.length}, want ${s.runs}`);
  }
  const keys = [...new Set(h.transformer.runs.map((o) => `${formatOptions(o, false)}`))];
  assert.deepEqual(keys, ['100x0,avif,q85', '100x0,q92,webp', '100x0', '100x0,jpeg', '10x0,q92,webp', '10x0'],
    `transformed options = ${JSON.stringify(keys)}: one run per format, the configured default qualities`);
  assert.equal(h.origin.hits(PHOTO), 1, `origin fetches of the photo = ${h.origin.hits(PHOTO)}, want 1`);
});

test('conditional requests: a 304 only for the format the client would get, with Vary', async () => {
  const h = setup();
  for (const accept of [CHROME, WEBP_ONLY, ANY]) await h.get(`/100x/${PHOTO}`, { accept });
  const cases: Array<{ name: string; accept: string; inm?: string; ims?: string; want: Seen }> = [
    { name: 'its own ETag: 304', accept: WEBP_ONLY, inm: '"e1.webp"', want: { status: 304, vary: 'Accept', etag: '"e1.webp"', cache: 'HIT' } },
    { name: 'another format\'s ETag: the bytes', accept: ANY, inm: '"e1.webp"',
      want: { status: 200, type: 'image/jpeg', vary: 'Accept', etag: '"e1.jpeg"', cache: 'HIT' } },
    { name: 'the origin\'s own ETag matches no format', accept: CHROME, inm: '"e1"',
      want: { status: 200, type: 'image/avif', vary: 'Accept', etag: '"e1.avif"', cache: 'HIT' } },
    { name: 'a CDN listing every ETag it holds gets the right one', accept: CHROME, inm: '"e1.webp", "e1.avif"',
      want: { status: 304, vary: 'Accept', etag: '"e1.avif"', cache: 'HIT' } },
    { name: 'weak comparison', accept: ANY, inm: 'W/"e1.jpeg"', want: { status: 304, vary: 'Accept', etag: '"e1.jpeg"', cache: 'HIT' } },
    { name: 'If-Modified-Since: 304 with Vary', accept: ANY, ims: 'Wed, 21 Oct 2015 07:28:00 GMT',
      want: { status: 304, vary: 'Accept', etag: '"e1.jpeg"', cache: 'HIT' } },
  ];
  for (const c of cases) {
    const headers: Record<string, string> = { accept: c.accept };
    if (c.inm) headers['if-none-match'] = c.inm;
    if (c.ims) headers['if-modified-since'] = c.ims;
    const got = seen(await h.get(`/100x/${PHOTO}`, headers));
    assert.deepEqual(got, c.want, `${c.name}: answer(Accept ${c.accept}, ${JSON.stringify(headers)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('negotiation off: Accept is ignored and nothing varies', async () => {
  const h = setup({ autoFormat: [] });
  for (const accept of [CHROME, WEBP_ONLY, ANY]) {
    const got = seen(await h.get(`/100x/${PHOTO}`, { accept }));
    const want: Seen = { status: 200, type: 'image/jpeg', etag: '"e1"', cache: accept === CHROME ? 'MISS' : 'HIT' };
    assert.deepEqual(got, want, `answer(Accept ${accept}) with -autoFormat off = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('signatures: the negotiated format is not signed; an explicit token is', async () => {
  const key = 'sekrit';
  const h = setup({ signatureKeys: [Buffer.from(key)] });
  const sign = (opts: string): string => signURL(key, PHOTO, parseOptions(opts));
  const cases: Array<{ name: string; url: string; accept: string; want: { status: number; type?: string } }> = [
    { name: 'signed without a format, negotiated to AVIF', url: `/100x,s${sign('100x')}/${PHOTO}`, accept: CHROME, want: { status: 200, type: 'image/avif' } },
    { name: 'signed without a format, JPEG fallback', url: `/100x,s${sign('100x')}/${PHOTO}`, accept: ANY, want: { status: 200, type: 'image/jpeg' } },
    { name: 'signed over webp', url: `/100x,webp,s${sign('100x,webp')}/${PHOTO}`, accept: ANY, want: { status: 200, type: 'image/webp' } },
    { name: 'a webp token added to a signature without it', url: `/100x,webp,s${sign('100x')}/${PHOTO}`, accept: CHROME, want: { status: 403 } },
    { name: 'avif asked with a signature over webp', url: `/100x,avif,s${sign('100x,webp')}/${PHOTO}`, accept: CHROME, want: { status: 403 } },
  ];
  for (const c of cases) {
    const a = await h.get(c.url, { accept: c.accept });
    const got = a.status === 200 ? { status: a.status, type: header(a, 'content-type') } : { status: a.status };
    assert.deepEqual(got, c.want, `${c.name}: answer(GET ${c.url}) = ${JSON.stringify(got)} ${a.status !== 200 ? text(a) : ''}, want ${JSON.stringify(c.want)}`);
  }
});
