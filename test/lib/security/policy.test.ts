import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { checkRequest, checkHop, checkTarget, isExpired, type Admission, type Resolver } from '../../../lib/security/policy.js';
import { parseRequest } from '../../../lib/request/request.js';
import { signURL } from '../../../lib/request/signature.js';
import { defaultConfig, type ProxyConfig } from '../../../lib/config.js';
import { ForbiddenError } from '../../../lib/errors.js';
import { parseOptions } from '../../../lib/request/options.js';

const KEY = Buffer.from('secretkey');
const NOW = Date.UTC(2026, 0, 1);
const REMOTE = 'https://images.example.com/a.jpg';
const signed = (opts: string, remote = REMOTE): string => `/${opts}${opts ? ',' : ''}s${signURL(KEY, remote, parseOptions(opts))}/${remote}`;

/** outcome runs checkRequest and returns the admission or the error code. */
function outcome(path: string, config: Partial<ProxyConfig>, referer?: string): string {
  try {
    return checkRequest(parseRequest(path), referer, defaultConfig(config), NOW);
  } catch (err) {
    if (err instanceof ForbiddenError) {
      assert.match(err.message, /^[A-Z][^\n]*\.$/, `message ${JSON.stringify(err.message)} is one sentence`);
      return `403 ${err.code}`;
    }
    throw err;
  }
}

test('checkRequest admission', () => {
  const future = Math.floor(NOW / 1000) + 3600;
  const past = Math.floor(NOW / 1000) - 1;
  const cases: Array<{ name: string; path: string; config: Partial<ProxyConfig>; referer?: string | undefined; want: string }> = [
    { name: 'open when nothing is configured', path: `/x/${REMOTE}`, config: {}, want: 'open' },
    { name: 'denied by name', path: `/x/${REMOTE}`, config: { denyHosts: ['images.example.com'] }, want: '403 denied_host' },
    { name: 'denied by wildcard', path: `/x/${REMOTE}`, config: { denyHosts: ['*.example.com'] }, want: '403 denied_host' },
    { name: 'deny wins over allow', path: `/x/${REMOTE}`, config: { allowHosts: ['*.example.com'], denyHosts: ['images.example.com'] }, want: '403 denied_host' },
    { name: 'deny wins over a signature', path: signed('100x'), config: { denyHosts: ['images.example.com'], signatureKeys: [KEY] }, want: '403 denied_host' },
    { name: 'denied CIDR on an IP literal', path: '/x/http://93.184.216.34/a.jpg', config: { denyHosts: ['93.184.216.0/24'] }, want: '403 denied_host' },
    { name: 'allowed by name', path: `/x/${REMOTE}`, config: { allowHosts: ['images.example.com'] }, want: 'allowHosts' },
    { name: 'allowed by wildcard', path: `/x/${REMOTE}`, config: { allowHosts: ['*.example.com'] }, want: 'allowHosts' },
    { name: 'not allowed', path: `/x/${REMOTE}`, config: { allowHosts: ['other.example'] }, want: '403 not_allowed' },
    { name: 'not allowed: suffix without label boundary', path: '/x/https://evilexample.com/a.jpg', config: { allowHosts: ['*.example.com'] }, want: '403 not_allowed' },
    { name: 'allowed CIDR on an IP literal', path: '/x/http://93.184.216.34/a.jpg', config: { allowHosts: ['93.184.216.0/24'] }, want: 'allowHosts' },
    { name: 'allowed CIDR, IP literal outside', path: '/x/http://93.184.217.34/a.jpg', config: { allowHosts: ['93.184.216.0/24'] }, want: '403 not_allowed' },
    { name: 'allowed CIDR, host name: decided at lookup', path: `/x/${REMOTE}`, config: { allowHosts: ['93.184.216.0/24'] }, want: 'allowHosts' },
    { name: 'signed with options', path: signed('100x'), config: { signatureKeys: [KEY] }, want: 'signature' },
    { name: 'signed, second key', path: signed('100x'), config: { signatureKeys: [Buffer.from('old'), KEY] }, want: 'signature' },
    { name: 'unsigned with a key configured', path: `/100x/${REMOTE}`, config: { signatureKeys: [KEY] }, want: '403 not_allowed' },
    { name: 'bad signature', path: `/100x,sAAAA/${REMOTE}`, config: { signatureKeys: [KEY] }, want: '403 not_allowed' },
    { name: 'signature for other options', path: signed('100x').replace('/100x,', '/200x,'), config: { signatureKeys: [KEY] }, want: '403 not_allowed' },
    { name: 'signature OR allowHosts', path: signed('100x'), config: { allowHosts: ['other.example'], signatureKeys: [KEY] }, want: 'signature' },
    { name: 'allowHosts OR signature', path: `/x/${REMOTE}`, config: { allowHosts: ['*.example.com'], signatureKeys: [KEY] }, want: 'allowHosts' },
    { name: 'referrer missing', path: `/x/${REMOTE}`, config: { referrers: ['site.example'] }, want: '403 referrer' },
    { name: 'referrer malformed', path: `/x/${REMOTE}`, config: { referrers: ['site.example'] }, referer: 'not a url', want: '403 referrer' },
    { name: 'referrer other host', path: `/x/${REMOTE}`, config: { referrers: ['site.example'] }, referer: 'https://evil.example/page', want: '403 referrer' },
    { name: 'referrer matches', path: `/x/${REMOTE}`, config: { referrers: ['site.example'] }, referer: 'https://site.example/page', want: 'open' },
    { name: 'referrer wildcard', path: `/x/${REMOTE}`, config: { referrers: ['*.site.example'] }, referer: 'https://www.site.example/', want: 'open' },
    { name: 'referrer checked before allow', path: `/x/${REMOTE}`, config: { referrers: ['site.example'], allowHosts: ['images.example.com'] }, referer: 'https://evil.example/', want: '403 referrer' },
    { name: 'expiry in the future', path: `/100x,vu${future}/${REMOTE}`, config: {}, want: 'open' },
    { name: 'expired', path: `/100x,vu${past}/${REMOTE}`, config: {}, want: '403 expired' },
    { name: 'signed expiry in the future', path: signed(`100x,vu${future}`), config: { signatureKeys: [KEY] }, want: 'signature' },
    { name: 'signed but expired', path: signed(`100x,vu${past}`), config: { signatureKeys: [KEY] }, want: '403 expired' },
  ];
  for (const { name, path, config, referer, want } of cases) {
    const got = outcome(path, config, referer);
    assert.equal(got, want, `${name}: checkRequest(${path}) = ${got}, want ${want}`);
  }
});

test('isExpired: a vu URL is valid strictly before its second, as in Go (now >= t is expired)', () => {
  const t = 1_800_000_000;
  const cases: Array<{ name: string; validUntil: number; now: number; want: boolean }> = [
    { name: 'no expiry', validUntil: 0, now: t * 1000, want: false },
    { name: 'a second before', validUntil: t, now: (t - 1) * 1000, want: false },
    { name: 'a millisecond before', validUntil: t, now: t * 1000 - 1, want: false },
    { name: 'at that second', validUntil: t, now: t * 1000, want: true },
    { name: 'a millisecond after', validUntil: t, now: t * 1000 + 1, want: true },
  ];
  for (const c of cases) {
    const got = isExpired(c.validUntil, c.now);
    assert.equal(got, c.want, `isExpired(${c.validUntil}, ${c.now}) (${c.name}) = ${got}, want ${c.want}`);
  }
});

/** hop runs checkHop and returns 'ok' or the error code. */
function hop(url: string, admission: Admission, config: Partial<ProxyConfig>): string {
  try {
    checkHop(new URL(url), admission, defaultConfig(config));
    return 'ok';
  } catch (err) {
    if (err instanceof ForbiddenError) return `403 ${err.code}`;
    throw err;
  }
}

test('checkHop refuses private IP literals in every form WHATWG URL accepts', () => {
  const literals = ['127.1', '2130706433', '0x7f.1', '0177.0.0.1', '0', '[::ffff:127.0.0.1]', '[::1]',
    '169.254.169.254', '100.64.0.1', '[fd00::1]', '10.0.0.1', '192.168.0.1', '[fe80::1]', '[::]', '0.0.0.0',
    '[64:ff9b::7f00:1]', '255.255.255.255'];
  for (const lit of literals) {
    const req = parseRequest(`/x/http://${lit}/a.jpg`);
    let err: unknown;
    try {
      checkHop(req.remote, 'open', defaultConfig());
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ForbiddenError, `checkHop(http://${lit}/) = ok, want ForbiddenError`);
    assert.equal(err.code, 'private_network', `checkHop(http://${lit}/) code = ${err.code}`);
    assert.match(err.message, /private network/);
    assert.match(err.message, /-allowPrivateNetworks/);
    // And the operator can turn the guard off.
    assert.equal(hop(req.remote.href, 'open', { allowPrivateNetworks: true }), 'ok', `checkHop(http://${lit}/) with allowPrivateNetworks`);
  }
});

test('checkHop rules', () => {
  const cases: Array<{ name: string; url: string; admission: Admission; config: Partial<ProxyConfig>; want: string }> = [
    { name: 'public literal', url: 'http://93.184.216.34/a', admission: 'open', config: {}, want: 'ok' },
    { name: 'public name', url: 'https://images.example.com/a', admission: 'open', config: {}, want: 'ok' },
    { name: 'localhost', url: 'http://localhost/a', admission: 'open', config: {}, want: '403 private_network' },
    { name: 'localhost.', url: 'http://localhost./a', admission: 'open', config: {}, want: '403 private_network' },
    { name: 'sub.localhost', url: 'http://api.localhost/a', admission: 'open', config: {}, want: '403 private_network' },
    { name: 'localhost allowed', url: 'http://localhost/a', admission: 'open', config: { allowPrivateNetworks: true }, want: 'ok' },
    { name: 'ftp', url: 'ftp://example.com/a', admission: 'open', config: {}, want: '403 bad_scheme' },
    { name: 'file', url: 'file:///etc/passwd', admission: 'open', config: {}, want: '403 bad_scheme' },
    { name: 'denied always', url: 'https://bad.example/a', admission: 'signature', config: { denyHosts: ['bad.example'] }, want: '403 denied_host' },
    { name: 'denied CIDR literal', url: 'http://93.184.216.34/a', admission: 'open', config: { denyHosts: ['93.184.0.0/16'] }, want: '403 denied_host' },
    { name: 'redirect off allowHosts', url: 'https://other.example/a', admission: 'allowHosts', config: { allowHosts: ['images.example.com'] }, want: '403 not_allowed' },
    { name: 'redirect within allowHosts', url: 'https://cdn.example.com/a', admission: 'allowHosts', config: { allowHosts: ['*.example.com'] }, want: 'ok' },
    { name: 'signed request may redirect anywhere not denied', url: 'https://other.example/a', admission: 'signature', config: { allowHosts: ['images.example.com'], signatureKeys: [KEY] }, want: 'ok' },
    { name: 'allowHosts literal outside CIDR', url: 'http://8.8.8.8/a', admission: 'allowHosts', config: { allowHosts: ['93.184.216.0/24'] }, want: '403 not_allowed' },
    { name: 'allowHosts name with CIDR list: checked at lookup', url: 'https://cdn.example/a', admission: 'allowHosts', config: { allowHosts: ['93.184.216.0/24'] }, want: 'ok' },
  ];
  for (const { name, url, admission, config, want } of cases) {
    const got = hop(url, admission, config);
    assert.equal(got, want, `${name}: checkHop(${url}, ${admission}) = ${got}, want ${want}`);
    // checkTarget is checkHop without the lookup: the same static rules, the same verdicts.
    const target = outcomeOf(() => checkTarget(new URL(url), admission, defaultConfig(config)));
    assert.equal(target, want, `${name}: checkTarget(${url}, ${admission}) = ${target}, want ${want}`);
  }
});

/** outcomeOf runs a check and returns 'ok' or the ForbiddenError's code. */
function outcomeOf(check: () => unknown): string {
  try {
    check();
    return 'ok';
  } catch (err) {
    if (err instanceof ForbiddenError) return `403 ${err.code}`;
    throw err;
  }
}

type LookupResult = { err: Error | null; address?: string | LookupAddress[]; family?: number };

function callLookup(lookup: ReturnType<typeof checkHop>['lookup'], host: string, options: object): Promise<LookupResult> {
  return new Promise((resolve) => {
    (lookup as unknown as (h: string, o: object, cb: (err: Error | null, a?: string | LookupAddress[], f?: number) => void) => void)(
      host, options, (err, address, family) => resolve({ err, address, family }));
  });
}

test('checkHop lookup refuses names that resolve to loopback', async () => {
  // Any name works here: the lookup resolves what it is given, and localhost resolves to loopback.
  const { lookup } = checkHop(new URL('https://images.example.com/a.jpg'), 'open', defaultConfig());
  for (const options of [{}, { all: true }, { family: 4 }, { family: 4, all: true }]) {
    const r = await callLookup(lookup, 'localhost', options);
    assert.ok(r.err instanceof ForbiddenError, `lookup(localhost, ${JSON.stringify(options)}) err = ${String(r.err)}, want ForbiddenError`);
    assert.match(r.err.message, /-allowPrivateNetworks/);
  }
});

test('checkHop lookup honours all and family when allowed', async () => {
  const { lookup } = checkHop(new URL('http://localhost/a.jpg'), 'open', defaultConfig({ allowPrivateNetworks: true }));
  const one = await callLookup(lookup, 'localhost', { family: 4 });
  assert.equal(one.err, null);
  assert.equal(one.address, '127.0.0.1', `lookup(localhost, family 4) = ${String(one.address)}, want 127.0.0.1`);
  assert.equal(one.family, 4);
  const all = await callLookup(lookup, 'localhost', { family: 4, all: true });
  assert.equal(all.err, null);
  assert.ok(Array.isArray(all.address), `lookup(localhost, all) = ${JSON.stringify(all.address)}, want an array`);
  assert.deepEqual((all.address as LookupAddress[])[0], { address: '127.0.0.1', family: 4 });
  const numeric = await callLookup(lookup, 'localhost', 4 as unknown as object);
  assert.equal(numeric.address, '127.0.0.1', 'a numeric options argument is the family');
});

/** fakeResolver answers from a table; unknown names fail like getaddrinfo. */
function fakeResolver(table: Record<string, string[]>): Resolver {
  return async (hostname, options) => {
    const addrs = (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    return addrs.filter((a) => !options.family || a.family === options.family);
  };
}

test('checkHop lookup checks every resolved address', async () => {
  const resolver = fakeResolver({
    'public.test': ['93.184.216.34', '2606:2800:220:1::1'],
    'mixed.test': ['93.184.216.34', '10.0.0.1'],
    'mapped.test': ['::ffff:169.254.169.254'],
    'other.test': ['8.8.8.8'],
  });
  const cases: Array<{ name: string; admission: Admission; config: Partial<ProxyConfig>; host: string; options: object; want: string }> = [
    { name: 'public', admission: 'open', config: {}, host: 'public.test', options: { all: true }, want: 'ok' },
    { name: 'one private address among public ones', admission: 'open', config: {}, host: 'mixed.test', options: {}, want: 'private_network' },
    { name: 'mapped metadata address', admission: 'open', config: {}, host: 'mapped.test', options: {}, want: 'private_network' },
    { name: 'private allowed', admission: 'open', config: { allowPrivateNetworks: true }, host: 'mixed.test', options: {}, want: 'ok' },
    { name: 'denied CIDR', admission: 'open', config: { denyHosts: ['93.184.216.0/24'] }, host: 'public.test', options: { family: 4 }, want: 'denied_host' },
    { name: 'allowed CIDR, inside', admission: 'allowHosts', config: { allowHosts: ['93.184.216.0/24'] }, host: 'public.test', options: { family: 4 }, want: 'ok' },
    { name: 'allowed CIDR, v6 address outside', admission: 'allowHosts', config: { allowHosts: ['93.184.216.0/24'] }, host: 'public.test', options: { all: true }, want: 'not_allowed' },
    { name: 'allowed CIDR, outside', admission: 'allowHosts', config: { allowHosts: ['93.184.216.0/24'] }, host: 'other.test', options: {}, want: 'not_allowed' },
    { name: 'signed: CIDR list does not apply', admission: 'signature', config: { allowHosts: ['93.184.216.0/24'], signatureKeys: [KEY] }, host: 'other.test', options: {}, want: 'ok' },
    { name: 'unknown name', admission: 'open', config: {}, host: 'missing.test', options: {}, want: 'ENOTFOUND' },
  ];
  for (const { name, admission, config, host, options, want } of cases) {
    const { lookup } = checkHop(new URL(`https://${host}/a.jpg`), admission, defaultConfig(config), resolver);
    const r = await callLookup(lookup, host, options);
    const got = r.err === null ? 'ok' : r.err instanceof ForbiddenError ? r.err.code : (r.err as NodeJS.ErrnoException).code ?? String(r.err);
    assert.equal(got, want, `${name}: lookup(${host}, ${JSON.stringify(options)}) = ${got}, want ${want}`);
  }
});

test('checkHop lookup works as http.request lookup', async () => {
  const server = http.createServer((_req, res) => res.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const resolver = fakeResolver({ 'origin.test': ['127.0.0.1'] });
  const get = (config: Partial<ProxyConfig>): Promise<string> => {
    const url = new URL(`http://origin.test:${port}/`);
    const { lookup } = checkHop(url, 'open', defaultConfig(config), resolver);
    return new Promise((resolve, reject) => {
      // agent: false, so no pooled socket from the first request skips the second lookup.
      http.get(url, { lookup, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  };
  try {
    assert.equal(await get({ allowPrivateNetworks: true }), 'hello');
    await assert.rejects(get({}), (err: unknown) => err instanceof ForbiddenError && err.code === 'private_network');
  } finally {
    server.close();
  }
});
