/**
 * Server-side request forgery, end to end through the real handler: loopback in every disguise,
 * private and metadata addresses, names that resolve to them, redirects toward them, and
 * non-http schemes. A live origin listens on 127.0.0.1 the whole time and must see no request
 * that the policy refused.
 */
import { test, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { startOrigin, type Origin } from '../helpers/origin.js';
import { get, healthy, pngValid, startProxy, summary, type Proxy } from '../helpers/hostile.js';
import { createServer } from '../../lib/server.js';

const PNG = pngValid(8, 8);

let origin: Origin;
let guarded: Proxy; // allowPrivateNetworks false (the default), nothing else configured
before(async () => {
  origin = await startOrigin({
    '/a.png': { headers: { 'Content-Type': 'image/png' }, body: PNG },
    '/secret': { headers: { 'Content-Type': 'image/png' }, body: PNG },
  });
  guarded = await startProxy({ workers: 1 });
});
after(async () => {
  mock.restoreAll();
  await guarded.close();
  await origin.close();
});

/** expectRefused requests each remote through proxy and asserts the status and that the origin saw nothing. */
async function expectRefused(proxy: { url: string }, cases: Array<[string, string, number | number[]]>): Promise<void> {
  const before = origin.hits();
  for (const [name, remote, want] of cases) {
    const wants = Array.isArray(want) ? want : [want];
    const r = await get(proxy.url, `/${remote}`);
    assert.ok(wants.includes(r.status), `${name}: GET /${remote} = ${r.status} ${summary(r)}, want ${wants.join(' or ')}`);
    assert.ok(r.ms < 3_000, `${name}: took ${r.ms} ms`);
    assert.equal(origin.hits(), before, `${name}: the origin received a request`);
  }
  await healthy(proxy.url);
}

test('loopback, private and metadata addresses in every disguise are refused with 403', async () => {
  const port = origin.port;
  // Through the plain handler and through the Express server the command runs.
  const server = createServer({ logger: { info() {}, warn() {}, error() {} }, workers: 1 });
  const addr = await server.listen('127.0.0.1:0');
  const viaExpress = { url: `http://${addr}` };
  const cases: Array<[string, string, number | number[]]> = [
    ['plain loopback', `http://127.0.0.1:${port}/a.png`, 403],
    ['decimal integer', `http://2130706433:${port}/a.png`, 403],
    ['hex short form', `http://0x7f.1:${port}/a.png`, 403],
    ['hex integer', `http://0x7f000001:${port}/a.png`, 403],
    ['octal', `http://0177.0.0.1:${port}/a.png`, 403],
    ['octal integer', `http://017700000001:${port}/a.png`, 403],
    ['zero-padded', `http://127.000.000.001:${port}/a.png`, 403],
    ['two-part', `http://127.1:${port}/a.png`, 403],
    ['zero', `http://0:${port}/a.png`, 403],
    ['0.0.0.0', `http://0.0.0.0:${port}/a.png`, 403],
    ['IPv4-mapped IPv6', `http://[::ffff:127.0.0.1]:${port}/a.png`, 403],
    ['IPv4-mapped IPv6, hex', `http://[::ffff:7f00:1]:${port}/a.png`, 403],
    ['IPv4-compatible IPv6', `http://[::127.0.0.1]:${port}/a.png`, 403],
    ['NAT64 of loopback', `http://[64:ff9b::7f00:1]:${port}/a.png`, 403],
    ['6to4 of loopback', `http://[2002:7f00:1::1]:${port}/a.png`, 403],
    ['IPv6 loopback', `http://[::1]:${port}/a.png`, 403],
    ['IPv6 unspecified', `http://[::]:${port}/a.png`, 403],
    ['localhost', `http://localhost:${port}/a.png`, 403],
    ['localhost with a trailing dot', `http://localhost.:${port}/a.png`, 403],
    ['LOCALHOST in capitals', `http://LOCALHOST:${port}/a.png`, 403],
    ['a .localhost subdomain', `http://img.localhost:${port}/a.png`, 403],
    ['credentials before the host', `http://images.example.com@127.0.0.1:${port}/a.png`, 403],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', 403],
    ['link-local', 'http://169.254.1.1/x.png', 403],
    ['carrier-grade NAT', 'http://100.64.0.1/x.png', 403],
    ['RFC 1918 10/8', 'http://10.0.0.1/x.png', 403],
    ['RFC 1918 192.168/16', 'http://192.168.1.1/x.png', 403],
    ['unique local IPv6', 'http://[fd00::1]/x.png', 403],
    ['link-local IPv6', 'http://[fe80::1]/x.png', 403],
    ['broadcast', 'http://255.255.255.255/x.png', 403],
    // Percent-encoding in the host: refused as malformed (400) or as private (403), never fetched.
    ['percent-encoded host', `http://%31%32%37.0.0.1:${port}/a.png`, [400, 403]],
  ];
  try {
    for (const proxy of [guarded, viaExpress]) await expectRefused(proxy, cases);
  } finally {
    await server.close(0);
  }
});

test('loopback is refused however the remote URL is encoded, and with options', async () => {
  const remote = `http://127.0.0.1:${origin.port}/a.png`;
  await expectRefused(guarded, [
    ['base64url-encoded', Buffer.from(remote).toString('base64url'), 403],
    ['percent-encoded', encodeURIComponent(remote), 403],
    ['collapsed slashes', `http:/127.0.0.1:${origin.port}/a.png`, 403],
    ['with a transform', `100x100/${remote}`, 403],
    ['base64url with a transform', `100x100/${Buffer.from(remote).toString('base64url')}`, 403],
  ]);
});

test('names that resolve to private addresses are refused (DNS rebinding)', async () => {
  const answers: Record<string, string[]> = {
    'rebind.test': ['127.0.0.1'],
    'metadata.test': ['169.254.169.254'],
    'mixed.test': ['93.184.216.34', '127.0.0.1'],
    'v6.test': ['::1'],
    'mapped.test': ['::ffff:127.0.0.1'],
  };
  const lookup = mock.method(dns.promises, 'lookup', async (hostname: string) => {
    const list = answers[hostname];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  });
  try {
    const port = origin.port;
    await expectRefused(guarded, [
      ['resolves to loopback', `http://rebind.test:${port}/a.png`, 403],
      ['resolves to metadata', `http://metadata.test:${port}/a.png`, 403],
      ['one public and one loopback address', `http://mixed.test:${port}/a.png`, 403],
      ['resolves to IPv6 loopback', `http://v6.test:${port}/a.png`, 403],
      ['resolves to mapped loopback', `http://mapped.test:${port}/a.png`, 403],
    ]);
    assert.ok(lookup.mock.callCount() >= 5, `the resolver was asked ${lookup.mock.callCount()} times, want >= 5 (the names must be resolved, then refused)`);
    // Control: the same name is fetched when private networks are allowed, so the refusals
    // above came from the address check and not from a broken resolver mock.
    const open = await startProxy({ workers: 1, allowPrivateNetworks: true });
    try {
      const r = await get(open.url, `/http://rebind.test:${port}/a.png`);
      assert.equal(r.status, 200, `control: rebind.test with private networks allowed = ${r.status} ${summary(r)}`);
      assert.ok(r.body.equals(PNG));
    } finally {
      await open.close();
    }
  } finally {
    lookup.mock.restore();
  }
});

test('without private networks the first hop to the 127.0.0.1 origin is itself refused: its redirects are never read', async () => {
  origin.set('/to-metadata', { redirect: 'http://169.254.169.254/latest/meta-data/' });
  await expectRefused(guarded, [['redirecting origin on loopback', `http://127.0.0.1:${origin.port}/to-metadata`, 403]]);
  assert.equal(origin.hits('/to-metadata'), 0);
});

test('every redirect hop is checked again: denied, not-allowed and non-http targets are refused', async () => {
  // Private networks must be allowed to reach the test origin at all, so the hops are refused by
  // the deny list (metadata), by allowHosts (another host), or by scheme.
  origin.set('/to-metadata', { redirect: 'http://169.254.169.254/latest/meta-data/' });
  origin.set('/to-cgnat', { redirect: 'http://100.64.0.1/x.png' });
  origin.set('/to-ula', { redirect: 'http://[fd00::1]/x.png' });
  origin.set('/to-file', { redirect: 'file:///etc/passwd' });
  origin.set('/to-gopher', { redirect: 'gopher://127.0.0.1:6379/_INFO' });
  origin.set('/to-data', { redirect: 'data:image/png;base64,iVBORw0KGgo=' });
  origin.set('/to-secret', { redirect: `http://localhost:${origin.port}/secret` });
  origin.set('/to-secret-ip', { redirect: `http://127.0.0.2:${origin.port}/secret` });
  origin.set('/to-mapped-metadata', { redirect: 'http://[::ffff:169.254.169.254]/latest/meta-data/' });
  origin.set('/hop', { redirect: '/to-metadata' });
  const denying = await startProxy({
    workers: 1, allowPrivateNetworks: true, denyHosts: ['169.254.0.0/16', '100.64.0.0/10', 'fc00::/7'],
  });
  const allowOnly = await startProxy({ workers: 1, allowPrivateNetworks: true, allowHosts: ['127.0.0.1'] });
  try {
    const o = origin.url;
    const cases: Array<{ proxy: Proxy; path: string; want: number }> = [
      { proxy: denying, path: '/to-metadata', want: 403 },
      { proxy: denying, path: '/hop', want: 403 }, // two hops: the second one is the bad one
      { proxy: denying, path: '/to-cgnat', want: 403 },
      { proxy: denying, path: '/to-ula', want: 403 },
      { proxy: denying, path: '/to-mapped-metadata', want: 403 },
      { proxy: denying, path: '/to-file', want: 502 },
      { proxy: denying, path: '/to-gopher', want: 502 },
      { proxy: denying, path: '/to-data', want: 502 },
      { proxy: allowOnly, path: '/to-secret', want: 403 },
      { proxy: allowOnly, path: '/to-secret-ip', want: 403 },
    ];
    for (const { proxy, path, want } of cases) {
      const hitsBefore = origin.hits(path);
      const r = await get(proxy.url, `/${o}${path}`);
      assert.equal(r.status, want, `redirect ${path}: ${r.status} ${summary(r)}, want ${want}`);
      assert.ok(r.ms < 3_000, `redirect ${path} took ${r.ms} ms`);
      assert.equal(origin.hits(path), hitsBefore + 1, `redirect ${path}: the first hop was not fetched`);
    }
    assert.equal(origin.hits('/secret'), 0, 'a refused redirect target was fetched');
    // Control: allowHosts still lets the allowed host through.
    const ok = await get(allowOnly.url, `/${o}/a.png`);
    assert.equal(ok.status, 200, `control GET /${o}/a.png = ${ok.status}`);
    await healthy(denying.url);
  } finally {
    await Promise.all([denying.close(), allowOnly.close()]);
  }
});

test('parser tricks around the host are refused or confined to the named host, never the loopback origin', async () => {
  const port = origin.port;
  // Each of these might be read as 127.0.0.1 by one URL parser and as something else by another.
  const tricks = [
    `http://127.0.0.1\\@evil.example:${port}/a.png`,
    `http://evil.example\\@127.0.0.1:${port}/a.png`,
    `http://evil.example%40127.0.0.1:${port}/a.png`,
    `http://127.0.0.1%2f@evil.example/a.png`,
    `http://127.0.0.1%23@evil.example/a.png`,
    `http://127.0.0.1:${port}%2f@evil.example/a.png`,
    `http://127.0.0.1%00.evil.example:${port}/a.png`,
    `http://127.0.0.1%09:${port}/a.png`,
    `http://127.0.0.1.:${port}/a.png`,
    `http://[::ffff:127.0.0.1]%25eth0:${port}/a.png`,
    `http://[fe80::1%25lo]:${port}/a.png`,
    `http://%5B::1%5D:${port}/a.png`,
    `http://127.0.0.1:${port}:80/a.png`,
    `http://127.0.0.1:0${port}/a.png`,
    `http://①②⑦.0.0.1:${port}/a.png`,
    `http://127。0。0。1:${port}/a.png`,
    `http:/\\127.0.0.1:${port}/a.png`,
    `http:127.0.0.1:${port}/a.png`,
  ];
  // No test touches the internet: every name resolves to nothing.
  const lookup = mock.method(dns.promises, 'lookup', async (hostname: string) => {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  });
  const hits = origin.hits();
  try {
    for (const t of tricks) {
      const r = await get(guarded.url, `/${t}`);
      // 400 (ambiguous or malformed), 403 (refused) or 502 (a host that does not resolve) are all
      // fine; what must never happen is a 200 from the loopback origin, or a 500.
      assert.ok([400, 403, 502].includes(r.status), `GET /${t} = ${r.status} ${summary(r)}, want 400, 403 or 502`);
      assert.equal(origin.hits(), hits, `GET /${t} reached the loopback origin`);
    }
  } finally {
    lookup.mock.restore();
  }
  await healthy(guarded.url);
});

test('a redirect loop ends with 502 after maxRedirects, quickly', async () => {
  origin.set('/loop', { redirect: '/loop' });
  const proxy = await startProxy({ workers: 1, allowPrivateNetworks: true, maxRedirects: 5 });
  try {
    const r = await get(proxy.url, `/${origin.url}/loop`);
    assert.equal(r.status, 502, `redirect loop = ${r.status} ${summary(r)}, want 502`);
    assert.ok(r.ms < 3_000, `redirect loop took ${r.ms} ms`);
    assert.equal(origin.hits('/loop'), 6, `the loop was followed ${origin.hits('/loop') - 1} times, want 5`);
  } finally {
    await proxy.close();
  }
});

test('non-http schemes in the request are refused with 400', async () => {
  await expectRefused(guarded, [
    ['file', 'file:///etc/passwd', 400],
    ['file with options', '100x/file:///etc/passwd', 400],
    ['file, one slash', 'file:/etc/passwd', 400],
    ['data', 'data:image/png;base64,iVBORw0KGgo=', 400],
    ['gopher', 'gopher://127.0.0.1:6379/_INFO', 400],
    ['ftp', 'ftp://127.0.0.1/a.png', 400],
    ['javascript', 'javascript:alert(1)', 400],
    ['base64url file', Buffer.from('file:///etc/passwd').toString('base64url'), 400],
  ]);
});
