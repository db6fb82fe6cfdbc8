import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../../helpers/paths.js';
import { startOrigin, type Origin, type OriginRoute } from '../../helpers/origin.js';
import { webOrigin, type WebOriginOptions } from '../../../lib/origin/fetch-web.js';
import { defaultConfig, type ProxyConfig } from '../../../lib/config.js';
import { ByteBudget } from '../../../lib/flow/budget.js';
import { isProxyError } from '../../../lib/errors.js';
import type { Admission } from '../../../lib/security/policy.js';
import type { OriginResponse } from '../../../lib/core/types.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

let origin: Origin;
before(async () => { origin = await startOrigin(); });
after(() => origin.close());

/** route registers a route under a fresh path and returns its URL. */
let n = 0;
function route(r: OriginRoute, name = 'r'): URL {
  const p = `/${name}-${++n}`;
  origin.set(p, r);
  return new URL(origin.url + p);
}

interface Get {
  config?: Partial<ProxyConfig>;
  admission?: Admission;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  budget?: ByteBudget;
  web?: WebOriginOptions;
}

/** get fetches url through webOrigin (private networks allowed unless the config says otherwise); it returns the response or the error. */
async function get(url: URL, o: Get = {}): Promise<OriginResponse | { error: unknown }> {
  const config = defaultConfig({ allowPrivateNetworks: true, ...o.config });
  const lease = (o.budget ?? new ByteBudget(config.maxSourceMemory)).lease();
  try {
    return await webOrigin(config, o.web).fetch(url, {
      admission: o.admission ?? 'open', headers: o.headers ?? {}, signal: o.signal ?? new AbortController().signal, lease,
    });
  } catch (error) {
    return { error };
  } finally {
    lease.release();
  }
}

/** outcome is a response's status and type, or an error's status and code. */
function outcome(r: OriginResponse | { error: unknown }): string {
  if ('error' in r) return isProxyError(r.error) ? `${r.error.status} ${r.error.code}` : `rejected ${String(r.error)}`;
  return `${r.status} ${r.headers['content-type'] ?? ''}`.trim();
}

test('fetchWeb answers like fetchRemote: statuses, content types, size limits, timeouts', async () => {
  const big = Buffer.alloc(64 * 1024, 7);
  const cases: Array<{ name: string; route: OriginRoute; config?: Partial<ProxyConfig>; headers?: Record<string, string>; want: string }> = [
    { name: 'png', route: { headers: { 'Content-Type': 'image/png' }, body: PNG }, want: '200 image/png' },
    { name: 'octet-stream sniffed', route: { headers: { 'Content-Type': 'application/octet-stream' }, body: PNG }, want: '200 image/png' },
    { name: 'no type sniffed', route: { body: PNG }, want: '200 image/png' },
    { name: 'html refused', route: { headers: { 'Content-Type': 'text/html' }, body: '<p>' }, want: '403 content_type_refused' },
    { name: 'not an image', route: { headers: { 'Content-Type': 'application/octet-stream' }, body: 'hello' }, want: '403 content_type_unknown' },
    { name: 'two content types', route: { headers: { 'Content-Type': ['image/png', 'text/html'] }, body: PNG }, want: '415 content_type_multiple' },
    { name: '404', route: { status: 404, body: 'no' }, want: '404 not_found' },
    { name: '500 passed on', route: { status: 500, body: 'no' }, want: '500 origin_status' },
    { name: '206', route: { status: 206, headers: { 'Content-Type': 'image/png' }, body: PNG }, want: '502 origin_partial' },
    { name: '204', route: { status: 204 }, want: '204' },
    { name: '304 to a plain request', route: { status: 304 }, want: '502 origin_status' },
    { name: '304 to a conditional request', route: { status: 304 }, headers: { 'if-none-match': '"x"' }, want: '304' },
    { name: 'declared length over the limit', route: { headers: { 'Content-Type': 'image/png' }, body: big }, config: { maxSourceBytes: 1000 }, want: '413 source_too_large' },
    { name: 'chunked body over the limit', route: { headers: { 'Content-Type': 'image/png' }, body: big, chunked: 4096 }, config: { maxSourceBytes: 1000 }, want: '413 source_too_large' },
    { name: 'gzip body over the limit once decoded', route: { headers: { 'Content-Type': 'image/png' }, body: big, encoding: 'gzip' }, config: { maxSourceBytes: 1000 }, want: '413 source_too_large' },
    { name: 'gzip body decoded', route: { headers: { 'Content-Type': 'image/png' }, body: PNG, encoding: 'gzip' }, want: '200 image/png' },
    { name: 'slow origin', route: { headers: { 'Content-Type': 'image/png' }, body: PNG, delayMs: 2000 }, config: { timeoutMs: 100 }, want: '504 timeout' },
    { name: 'reset mid-body', route: { headers: { 'Content-Type': 'image/png' }, body: PNG, resetAfterBytes: 100 }, want: '502 origin_reset' },
  ];
  for (const c of cases) {
    const r = await get(route(c.route), { config: c.config, headers: c.headers });
    assert.equal(outcome(r), c.want, `fetchWeb(${c.name}) = ${outcome(r)}, want ${c.want}`);
    if (c.want === '200 image/png' && !('error' in r)) {
      assert.deepEqual(Buffer.from(r.body), PNG, `fetchWeb(${c.name}) body differs from the origin's`);
      assert.equal(r.headers['content-encoding'], undefined, `fetchWeb(${c.name}) kept content-encoding of a decoded body`);
    }
  }
});

test('fetchWeb follows redirects by hand, checking every hop and dropping credentials across hosts', async () => {
  const final = route({ headers: { 'Content-Type': 'image/png' }, body: PNG }, 'final');
  const toLocalhost = new URL(final.href.replace('127.0.0.1', 'localhost'));
  const loop = route({ redirect: '/loop' }, 'loop');
  origin.set('/loop', { redirect: '/loop' });
  // A first hop by name passes the static checks; this fetch takes it to the loopback origin.
  const viaName = (u: URL): URL => new URL(u.href.replace('127.0.0.1', 'origin.test'));
  const web = { fetch: (input: string, init: RequestInit) => fetch(input.replace('origin.test', '127.0.0.1'), init) };
  const cases: Array<{ name: string; url: URL; config?: Partial<ProxyConfig>; want: string; wantFinalHits?: number }> = [
    { name: 'same host', url: route({ redirect: final.pathname }), want: '200 image/png', wantFinalHits: 1 },
    { name: 'to a denied host', url: route({ redirect: toLocalhost.href }), config: { denyHosts: ['localhost'] }, want: '403 denied_host', wantFinalHits: 0 },
    { name: 'from a name to a private literal', url: viaName(route({ redirect: final.href })), config: { allowPrivateNetworks: false }, want: '403 private_network', wantFinalHits: 0 },
    { name: 'to a non-http scheme', url: route({ redirect: 'file:///etc/passwd' }), want: '502 bad_redirect', wantFinalHits: 0 },
    { name: 'too many', url: loop, config: { maxRedirects: 3 }, want: '502 too_many_redirects', wantFinalHits: 0 },
    { name: 'not followed', url: route({ redirect: final.pathname }), config: { followRedirects: false }, want: '302', wantFinalHits: 0 },
  ];
  for (const c of cases) {
    const before = origin.hits(final.pathname);
    const r = await get(c.url, { config: c.config, web });
    const hits = origin.hits(final.pathname) - before;
    assert.equal(outcome(r), c.want, `fetchWeb(${c.name}) = ${outcome(r)}, want ${c.want}`);
    assert.equal(hits, c.wantFinalHits, `fetchWeb(${c.name}) reached the final hop ${hits} times, want ${c.wantFinalHits}`);
  }
  const start = origin.requests.length;
  const cross = route({ redirect: toLocalhost.href });
  const withCreds = new URL(cross.href.replace('http://', 'http://user:pa%20ss@'));
  const r = await get(withCreds, { headers: { cookie: 'a=1' } });
  assert.equal(outcome(r), '200 image/png', `fetchWeb(credentials, cross-host redirect) = ${outcome(r)}`);
  const seen = origin.requests.slice(start).map((q) => ({ authorization: q.headers.authorization, cookie: q.headers.cookie }));
  const want = [{ authorization: `Basic ${Buffer.from('user:pa ss').toString('base64')}`, cookie: 'a=1' }, { authorization: undefined, cookie: undefined }];
  assert.deepEqual(seen, want, `origin saw credentials ${JSON.stringify(seen)}, want ${JSON.stringify(want)}`);
});

test('fetchWeb checks addresses only where it can see them: literals, localhost names, and a resolver when given', async () => {
  const png = (): Response => new Response(PNG, { headers: { 'Content-Type': 'image/png' } });
  const cases: Array<{ name: string; url: string; config: Partial<ProxyConfig>; admission?: Admission; resolve?: (h: string) => Promise<string[]>; want: string; wantFetches: number }> = [
    { name: 'loopback literal', url: 'http://127.0.0.1/a.png', config: { allowPrivateNetworks: false }, want: '403 private_network', wantFetches: 0 },
    { name: 'mapped IPv6 literal', url: 'http://[::ffff:10.0.0.1]/a.png', config: { allowPrivateNetworks: false }, want: '403 private_network', wantFetches: 0 },
    { name: 'localhost name', url: 'http://img.localhost/a.png', config: { allowPrivateNetworks: false }, want: '403 private_network', wantFetches: 0 },
    { name: 'public name, no resolver', url: 'http://origin.test/a.png', config: { allowPrivateNetworks: false }, want: '200 image/png', wantFetches: 1 },
    { name: 'name resolving to a private address', url: 'http://origin.test/a.png', config: { allowPrivateNetworks: false }, resolve: async () => ['192.0.2.1', '10.1.2.3'], want: '403 private_network', wantFetches: 0 },
    { name: 'name resolving to a denied block', url: 'http://origin.test/a.png', config: { denyHosts: ['198.51.100.0/24'] }, resolve: async () => ['198.51.100.7'], want: '403 denied_host', wantFetches: 0 },
    { name: 'name admitted by CIDR only, no resolver', url: 'http://origin.test/a.png', config: { allowHosts: ['203.0.113.0/24'] }, admission: 'allowHosts', want: '403 not_allowed', wantFetches: 0 },
    { name: 'name admitted by CIDR, resolved inside', url: 'http://origin.test/a.png', config: { allowHosts: ['203.0.113.0/24'] }, admission: 'allowHosts', resolve: async () => ['203.0.113.5'], want: '200 image/png', wantFetches: 1 },
  ];
  for (const c of cases) {
    let fetches = 0;
    const fetch = async (): Promise<Response> => { fetches++; return png(); };
    const r = await get(new URL(c.url), { config: c.config, admission: c.admission, web: { fetch, resolve: c.resolve } });
    assert.equal(outcome(r), c.want, `fetchWeb(${c.name}) = ${outcome(r)}, want ${c.want}`);
    assert.equal(fetches, c.wantFetches, `fetchWeb(${c.name}) called fetch ${fetches} times, want ${c.wantFetches}`);
  }
});

test('fetchWeb stops when its signal aborts or the source-memory budget is spent', async () => {
  const slow = route({ headers: { 'Content-Type': 'image/png' }, body: PNG, delayMs: 5000 });
  const ctl = new AbortController();
  const reason = new Error('client left');
  const pending = get(slow, { signal: ctl.signal });
  setTimeout(() => ctl.abort(reason), 50);
  const aborted = await pending;
  assert.ok('error' in aborted && aborted.error === reason, `fetchWeb(aborted) = ${outcome(aborted)}, want the signal's reason`);
  await origin.whenAborted(slow.pathname);

  const budget = new ByteBudget(100);
  const other = budget.lease();
  other.grow(50); // another request holds part of the budget, so this one may not exceed it
  const r = await get(route({ headers: { 'Content-Type': 'image/png' }, body: PNG }), { budget });
  other.release();
  assert.equal(outcome(r), '503 overloaded', `fetchWeb(over the source-memory budget) = ${outcome(r)}, want 503 overloaded`);
});
