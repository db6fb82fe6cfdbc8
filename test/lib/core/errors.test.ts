// Refusals and failures through the core: each error class's status, its one-sentence body, the
// headers every error answer carries, and the logged reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, header, hang, image, text, type Harness } from './fakes.js';
import { signURL } from '../../../lib/request/signature.js';
import { parseOptions } from '../../../lib/request/options.js';
import {
  BadGatewayError, BadRequestError, ForbiddenError, GatewayTimeoutError, NotFoundError, OriginStatusError, OverloadedError,
  ProxyError, TooLargeError, UnprocessableImageError, UnsupportedMediaError,
} from '../../../lib/errors.js';
import { CLIENT_CLOSED_REQUEST, ClientGoneError } from '../../../lib/core/types.js';
import type { ProxyConfig } from '../../../lib/config.js';

const REMOTE = 'https://images.example/a.png';
const KEY = Buffer.from('secretkey');
const signed = (opts: string): string => `/${opts},s${signURL(KEY, REMOTE, parseOptions(opts))}/${REMOTE}`;
const past = Math.floor(Date.now() / 1000) - 60;
const future = Math.floor(Date.now() / 1000) + 3600;

/** ErrorCase is one request that must be refused or fail. */
interface ErrorCase {
  name: string;
  config?: Partial<ProxyConfig>;
  /** Sets up the harness (origin routes, transformer failure). */
  setup?: (h: Harness) => void;
  url: string;
  headers?: Record<string, string>;
  wantStatus: number;
  /** The error code the log line names. */
  wantCode: string;
  /** Headers the answer must carry beyond the ones every error answer carries. */
  wantHeaders?: Record<string, string>;
}

const origin = (route: Parameters<Harness['origin']['set']>[1]) => (h: Harness): void => { h.origin.set(REMOTE, route); };
const transformFails = (err: unknown) => (h: Harness): void => {
  h.origin.set(REMOTE, image());
  h.transformer.fail = err;
};

const CASES: ErrorCase[] = [
  // Refusals by the URL language and the request policy.
  { name: 'malformed request', url: '/100x/not-a-url', wantStatus: 400, wantCode: 'bad_url' },
  { name: 'remote URL of another scheme', url: '/100x/ftp://images.example/a.png', wantStatus: 400, wantCode: 'bad_url' },
  { name: 'denied host', config: { denyHosts: ['images.example'] }, url: `/${REMOTE}`, wantStatus: 403, wantCode: 'denied_host' },
  { name: 'host not on allowHosts', config: { allowHosts: ['other.example'] }, url: `/${REMOTE}`, wantStatus: 403, wantCode: 'not_allowed' },
  { name: 'private network literal', url: '/http://127.0.0.1/a.png', wantStatus: 403, wantCode: 'private_network' },
  { name: 'localhost name', url: '/http://localhost/a.png', wantStatus: 403, wantCode: 'private_network' },
  { name: 'referrer missing', config: { referrers: ['site.example'] }, url: `/${REMOTE}`, wantStatus: 403, wantCode: 'referrer' },
  { name: 'referrer not allowed', config: { referrers: ['site.example'] }, url: `/${REMOTE}`, headers: { referer: 'https://evil.example/' }, wantStatus: 403, wantCode: 'referrer' },
  { name: 'unsigned with a key configured', config: { signatureKeys: [KEY] }, url: `/100x/${REMOTE}`, wantStatus: 403, wantCode: 'not_allowed' },
  { name: 'signature for other options', config: { signatureKeys: [KEY] }, url: signed('100x').replace('/100x,', '/200x,'), wantStatus: 403, wantCode: 'not_allowed' },
  { name: 'expired URL', url: `/100x,vu${past}/${REMOTE}`, wantStatus: 403, wantCode: 'expired' },
  { name: 'expired signed URL', config: { signatureKeys: [KEY] }, url: signed(`100x,vu${past}`), wantStatus: 403, wantCode: 'expired' },
  // Every error class an origin fetch may reject with.
  { name: 'origin BadRequestError', setup: origin({ fail: new BadRequestError('The request is bad.') }), url: `/${REMOTE}`, wantStatus: 400, wantCode: 'bad_request' },
  { name: 'origin ForbiddenError (a refused hop)', setup: origin({ fail: new ForbiddenError('The remote host is denied.', 'denied_host') }), url: `/${REMOTE}`, wantStatus: 403, wantCode: 'denied_host' },
  { name: 'origin 404', setup: origin({ fail: new NotFoundError() }), url: `/${REMOTE}`, wantStatus: 404, wantCode: 'not_found' },
  { name: 'source too large', setup: origin({ fail: new TooLargeError('The remote image is larger than the 100-byte limit.') }), url: `/${REMOTE}`, wantStatus: 413, wantCode: 'source_too_large' },
  { name: 'refused content type', setup: origin({ fail: new UnsupportedMediaError('The content type text/html is not allowed.', 'content_type_refused') }), url: `/${REMOTE}`, wantStatus: 415, wantCode: 'content_type_refused' },
  { name: 'origin reset', setup: origin({ fail: new BadGatewayError('The remote server sent an incomplete or corrupt response.', 'origin_reset') }), url: `/${REMOTE}`, wantStatus: 502, wantCode: 'origin_reset' },
  { name: 'source memory spent', setup: origin({ fail: new OverloadedError('The server is holding too many source images; try again shortly.') }), url: `/${REMOTE}`, wantStatus: 503, wantCode: 'overloaded', wantHeaders: { 'Retry-After': '1' } },
  { name: 'origin timeout', setup: origin({ fail: new GatewayTimeoutError() }), url: `/${REMOTE}`, wantStatus: 504, wantCode: 'timeout' },
  { name: 'origin 500 passed through', setup: origin({ fail: new OriginStatusError(500) }), url: `/${REMOTE}`, wantStatus: 500, wantCode: 'origin_status' },
  { name: 'origin 418 passed through', setup: origin({ fail: new OriginStatusError(418) }), url: `/${REMOTE}`, wantStatus: 418, wantCode: 'origin_status' },
  { name: 'custom ProxyError headers', setup: origin({ fail: new ProxyError(429, 'slow_down', 'Slow down.', { 'Retry-After': '7' }) }), url: `/${REMOTE}`, wantStatus: 429, wantCode: 'slow_down', wantHeaders: { 'Retry-After': '7' } },
  // Transform failures.
  { name: 'undecodable image', setup: transformFails(new UnprocessableImageError('The image could not be decoded.')), url: `/100x/${REMOTE}`, wantStatus: 422, wantCode: 'bad_image' },
  { name: 'transform queue full', setup: transformFails(new OverloadedError()), url: `/100x/${REMOTE}`, wantStatus: 503, wantCode: 'overloaded', wantHeaders: { 'Retry-After': '1' } },
  { name: 'transformer bug', setup: transformFails(new TypeError('x is undefined')), url: `/100x/${REMOTE}`, wantStatus: 502, wantCode: 'transform_failed' },
  // Failures that are nobody's fault in particular.
  { name: 'origin throws something that is not a ProxyError', setup: origin({ fail: new RangeError('oops') }), url: `/${REMOTE}`, wantStatus: 500, wantCode: 'internal' },
  { name: 'request past its time limit', config: { timeoutMs: 30 }, setup: origin(hang), url: `/${REMOTE}`, wantStatus: 504, wantCode: 'timeout' },
  { name: 'method not allowed', url: `/${REMOTE}`, headers: { 'x-method': 'PUT' }, wantStatus: 405, wantCode: 'method', wantHeaders: { Allow: 'GET, HEAD' } },
];

test('every refusal and error class: status, one sentence, no-store, security headers, logged code', async () => {
  for (const c of CASES) {
    const h = harness(c.config);
    c.setup?.(h);
    const method = c.headers?.['x-method'] ?? 'GET';
    const a = await h.get(c.url, c.headers, method);
    const body = text(a);
    const got = { status: a.status, type: header(a, 'content-type'), cacheControl: header(a, 'cache-control'), nosniff: header(a, 'x-content-type-options') };
    const want = { status: c.wantStatus, type: 'text/plain; charset=utf-8', cacheControl: 'no-store', nosniff: 'nosniff' };
    assert.deepEqual(got, want, `${c.name}: answer(${method} ${c.url}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    assert.match(body, /^[A-Z][^\n]*\.\n$/, `${c.name}: body = ${JSON.stringify(body)}, want one sentence and a newline`);
    assert.equal(header(a, 'content-length'), String(Buffer.byteLength(body)), `${c.name}: Content-Length = ${header(a, 'content-length')}, want ${Buffer.byteLength(body)}`);
    for (const [k, v] of Object.entries(c.wantHeaders ?? {})) {
      assert.equal(header(a, k), v, `${c.name}: answer header ${k} = ${header(a, k)}, want ${v}`);
    }
    const logged = h.log.lines.some((l) => (c.wantCode === 'internal' ? l.startsWith('error') : l.startsWith('warn') && l.includes(` ${c.wantCode}: `)));
    assert.ok(logged, `${c.name}: log ${JSON.stringify(h.log.lines)} lacks the code ${c.wantCode}`);
  }
});

test('a transformer bug keeps its cause for the log, not for the client', async () => {
  const h = harness();
  transformFails(new TypeError('x is undefined'))(h);
  const a = await h.get(`/100x/${REMOTE}`);
  assert.equal(text(a), 'The remote image could not be processed.\n', `body = ${JSON.stringify(text(a))}`);
  assert.ok(h.log.lines.some((l) => /transform_failed.*x is undefined/.test(l)), `log ${JSON.stringify(h.log.lines)} lacks the cause`);
});

test('a client that goes away gets no answer, and the fetch stops once nobody waits', async () => {
  const h = harness();
  let aborted: unknown;
  h.origin.set(REMOTE, (req) => {
    req.signal.addEventListener('abort', () => { aborted = req.signal.reason; }, { once: true });
    return hang(req);
  });
  const ctl = new AbortController();
  const pending = h.core.answer({ method: 'GET', url: `/${REMOTE}`, headers: {} }, ctl);
  await new Promise((r) => setImmediate(r));
  ctl.abort(new ClientGoneError());
  const a = await pending;
  assert.deepEqual({ status: a.status, body: a.body }, { status: CLIENT_CLOSED_REQUEST, body: undefined }, `answer after the client left = ${a.status}, want ${CLIENT_CLOSED_REQUEST}`);
  assert.ok(aborted !== undefined, 'the origin fetch was not aborted when its only waiter left');
  const inFlight = (await h.core.metrics.requestsInFlight.get()).values[0]?.value;
  assert.equal(inFlight, 0, `http_requests_in_flight after the client left = ${inFlight}, want 0`);
});

test('the core never rejects: a broken logger and a broken metrics registry still give answers', async () => {
  const broken = { info: () => { throw new Error('log'); }, warn: () => { throw new Error('log'); }, error: () => { throw new Error('log'); } };
  const h = harness({ logger: broken, verbose: true });
  h.origin.set(REMOTE, image());
  const cases: Array<{ url: string; want: number }> = [
    { url: `/${REMOTE}`, want: 200 },
    { url: '/100x/not-a-url', want: 400 },
    { url: `/https://images.example/missing.png`, want: 404 },
  ];
  for (const { url, want } of cases) {
    const a = await h.get(url);
    assert.equal(a.status, want, `answer(GET ${url}) with a throwing logger = ${a.status}, want ${want}`);
  }
  h.core.metrics.registry.metrics = async () => { throw new Error('registry broken'); };
  const m = await h.get('/metrics');
  assert.deepEqual({ status: m.status, body: text(m) }, { status: 500, body: 'The server failed to answer this request.\n' }, `answer(GET /metrics) with a broken registry = ${m.status} ${text(m)}`);
});

test('a signed, unexpired request is admitted', async () => {
  const h = harness({ signatureKeys: [KEY] });
  h.origin.set(REMOTE, image());
  const url = signed(`100x,vu${future}`);
  const a = await h.get(url);
  assert.equal(a.status, 200, `answer(GET ${url}) = ${a.status} ${text(a)}, want 200`);
});
