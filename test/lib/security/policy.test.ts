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
  const cases: Array<[string, string, Partial<ProxyConfig>, string | undefined, string]> = [
    ['open when nothing is configured', `/x/${REMOTE}`, {}, undefined, 'open'],
    ['denied by name', `/x/${REMOTE}`, { denyHosts: ['images.example.com'] }, undefined, '403 denied_host'],
    ['denied by wildcard', `/x/${REMOTE}`, { denyHosts: ['*.example.com'] }, undefined, '403 denied_host'],
    ['deny wins over allow', `/x/${REMOTE}`, { allowHosts: ['*.example.com'], denyHosts: ['images.example.com'] }, undefined, '403 denied_host'],
    ['deny wins over a signature', signed('100x'), { denyHosts: ['images.example.com'], signatureKeys: [KEY] }, undefined, '403 denied_host'],
    ['denied CIDR on an IP literal', '/x/http://93.184.216.34/a.jpg', { denyHosts: ['93.184.216.0/24'] }, undefined, '403 denied_host'],
    ['allowed by name', `/x/${REMOTE}`, { allowHosts: ['images.example.com'] }, undefined, 'allowHosts'],
    ['allowed by wildcard', `/x/${REMOTE}`, { allowHosts: ['*.example.com'] }, undefined, 'allowHosts'],
    ['not allowed', `/x/${REMOTE}`, { allowHosts: ['other.example'] }, undefined, '403 not_allowed'],
    ['not allowed: suffix without label boundary', '/x/https://evilexample.com/a.jpg', { allowHosts: ['*.example.com'] }, undefined, '403 not_allowed'],
    ['allowed CIDR on an IP literal', '/x/http://93.184.216.34/a.jpg', { allowHosts: ['93.184.216.0/24'] }, undefined, 'allowHosts'],
    ['allowed CIDR, IP literal outside', '/x/http://93.184.217.34/a.jpg', { allowHosts: ['93.184.216.0/24'] }, undefined, '403 not_allowed'],
    ['allowed CIDR, host name: decided at lookup', `/x/${REMOTE}`, { allowHosts: ['93.184.216.0/24'] }, undefined, 'allowHosts'],
    ['signed with options', signed('100x'), { signatureKeys: [KEY] }, undefined, 'signature'],
    ['signed, second key', signed('100x'), { signatureKeys: [Buffer.from('old'), KEY] }, undefined, 'signature'],
    ['unsigned with a key configured', `/100x/${REMOTE}`, { signatureKeys: [KEY] }, undefined, '403 not_allowed'],
    ['bad signature', `/100x,sAAAA/${REMOTE}`, { signatureKeys: [KEY] }, undefined, '403 not_allowed'],
    ['signature for other options', signed('100x').replace('/100x,', '/200x,'), { signatureKeys: [KEY] }, undefined, '403 not_allowed'],
    ['signature OR allowHosts', signed('100x'), { allowHosts: ['other.example'], signatureKeys: [KEY] }, undefined, 'signature'],
    ['allowHosts OR signature', `/x/${REMOTE}`, { allowHosts: ['*.example.com'], signatureKeys: [KEY] }, undefined, 'allowHosts'],
    ['referrer missing', `/x/${REMOTE}`, { referrers: ['site.example'] }, undefined, '403 referrer'],
    ['referrer malformed', `/x/${REMOTE}`, { referrers: ['site.example'] }, 'not a url', '403 referrer'],
    ['referrer other host', `/x/${REMOTE}`, { referrers: ['site.example'] }, 'https://evil.example/page', '403 referrer'],
    ['referrer matches', `/x/${REMOTE}`, { referrers: ['site.example'] }, 'https://site.example/page', 'open'],
    ['referrer wildcard', `/x/${REMOTE}`, { referrers: ['*.site.example'] }, 'https://www.site.example/', 'open'],
    ['referrer checked before allow', `/x/${REMOTE}`, { referrers: ['site.example'], allowHosts: ['images.example.com'] }, 'https://evil.example/', '403 referrer'],
    ['expiry in the future', `/100x,vu${future}/${REMOTE}`, {}, undefined, 'open'],
    ['expired', `/100x,vu${past}/${REMOTE}`, {}, undefined, '403 expired'],
    ['signed expiry in the future', signed(`100x,vu${future}`), { signatureKeys: [KEY] }, undefined, 'signature'],
    ['signed but expired', signed(`100x,vu${past}`), { signatureKeys: [KEY] }, undefined, '403 expired'],
  ];
  for (const [name, path, config, referer, want] of cases) {
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
  const cases: Array<[string, string, Admission, Partial<ProxyConfig>, string]> = [
    ['public literal', 'http://93.184.216.34/a', 'open', {}, 'ok'],
    ['public name', 'https://images.example.com/a', 'open', {}, 'ok'],
    ['localhost', 'http://localhost/a', 'open', {}, '403 private_network'],
    ['localhost.', 'http://localhost./a', 'open', {}, '403 private_network'],
    ['sub.localhost', 'http://api.localhost/a', 'open', {}, '403 private_network'],
    ['localhost allowed', 'http://localhost/a', 'open', { allowPrivateNetworks: true }, 'ok'],
    ['ftp', 'ftp://example.com/a', 'open', {}, '403 bad_scheme'],
    ['file', 'file:///etc/passwd', 'open', {}, '403 bad_scheme'],
    ['denied always', 'https://bad.example/a', 'signature', { denyHosts: ['bad.example'] }, '403 denied_host'],
    ['denied CIDR literal', 'http://93.184.216.34/a', 'open', { denyHosts: ['93.184.0.0/16'] }, '403 denied_host'],
    ['redirect off allowHosts', 'https://other.example/a', 'allowHosts', { allowHosts: ['images.example.com'] }, '403 not_allowed'],
    ['redirect within allowHosts', 'https://cdn.example.com/a', 'allowHosts', { allowHosts: ['*.example.com'] }, 'ok'],
    ['signed request may redirect anywhere not denied', 'https://other.example/a', 'signature', { allowHosts: ['images.example.com'], signatureKeys: [KEY] }, 'ok'],
    ['allowHosts literal outside CIDR', 'http://8.8.8.8/a', 'allowHosts', { allowHosts: ['93.184.216.0/24'] }, '403 not_allowed'],
    ['allowHosts name with CIDR list: checked at lookup', 'https://cdn.example/a', 'allowHosts', { allowHosts: ['93.184.216.0/24'] }, 'ok'],
  ];
  for (const [name, url, admission, config, want] of cases) {
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
  const cases: Array<[string, Admission, Partial<ProxyConfig>, string, object, string]> = [
    ['public', 'open', {}, 'public.test', { all: true }, 'ok'],
    ['one private address among public ones', 'open', {}, 'mixed.test', {}, 'private_network'],
    ['mapped metadata address', 'open', {}, 'mapped.test', {}, 'private_network'],
    ['private allowed', 'open', { allowPrivateNetworks: true }, 'mixed.test', {}, 'ok'],
    ['denied CIDR', 'open', { denyHosts: ['93.184.216.0/24'] }, 'public.test', { family: 4 }, 'denied_host'],
    ['allowed CIDR, inside', 'allowHosts', { allowHosts: ['93.184.216.0/24'] }, 'public.test', { family: 4 }, 'ok'],
    ['allowed CIDR, v6 address outside', 'allowHosts', { allowHosts: ['93.184.216.0/24'] }, 'public.test', { all: true }, 'not_allowed'],
    ['allowed CIDR, outside', 'allowHosts', { allowHosts: ['93.184.216.0/24'] }, 'other.test', {}, 'not_allowed'],
    ['signed: CIDR list does not apply', 'signature', { allowHosts: ['93.184.216.0/24'], signatureKeys: [KEY] }, 'other.test', {}, 'ok'],
    ['unknown name', 'open', {}, 'missing.test', {}, 'ENOTFOUND'],
  ];
  for (const [name, admission, config, host, options, want] of cases) {
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
