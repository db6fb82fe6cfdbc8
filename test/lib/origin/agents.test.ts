import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fetchRemote } from '../../../lib/origin/fetch.js';
import { closeOriginAgents } from '../../../lib/origin/agents.js';
import { defaultConfig, type ProxyConfig } from '../../../lib/config.js';
import type { Admission } from '../../../lib/security/policy.js';

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** CountingOrigin is a loopback origin that counts the TCP connections it accepted. */
interface CountingOrigin {
  url: string;
  connections(): number;
  /** dropIdle destroys every open socket, as an origin does with idle keep-alive connections. */
  dropIdle(): void;
  close(): Promise<void>;
}

async function countingOrigin(): Promise<CountingOrigin> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG_HEAD.length });
    res.end(PNG_HEAD);
  });
  server.on('connection', (s: Socket) => {
    count++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    dropIdle: () => { for (const s of sockets) s.destroy(); },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

function config(over: Partial<ProxyConfig> = {}): ProxyConfig {
  return defaultConfig({ allowPrivateNetworks: true, logger: { info() {}, warn() {}, error() {} }, ...over });
}

/** Step is one fetch of a sequence: under which of the case's configs and admission. */
interface Step { config: number; admission: Admission; dropBefore?: boolean }

test('origin connections are kept alive per configuration and admission, and a stale one is retried on a fresh socket', async () => {
  const cases: Array<{ name: string; configs: Array<Partial<ProxyConfig>>; steps: Step[]; wantConnections: number }> = [
    { name: 'three fetches, one config, one admission', configs: [{}], steps: [{ config: 0, admission: 'open' }, { config: 0, admission: 'open' }, { config: 0, admission: 'open' }], wantConnections: 1 },
    { name: 'originIdleConns 0: a connection per fetch', configs: [{ originIdleConns: 0 }], steps: [{ config: 0, admission: 'open' }, { config: 0, admission: 'open' }, { config: 0, admission: 'open' }], wantConnections: 3 },
    { name: 'another admission never reuses the socket', configs: [{}], steps: [{ config: 0, admission: 'open' }, { config: 0, admission: 'signature' }, { config: 0, admission: 'open' }, { config: 0, admission: 'signature' }], wantConnections: 2 },
    { name: 'another configuration never reuses the socket', configs: [{}, {}], steps: [{ config: 0, admission: 'open' }, { config: 1, admission: 'open' }, { config: 0, admission: 'open' }], wantConnections: 2 },
    // The retry goes on a socket of its own (2); the next fetch opens a new pooled one (3).
    { name: 'the origin closed the idle socket: the fetch still succeeds', configs: [{}], steps: [{ config: 0, admission: 'open' }, { config: 0, admission: 'open', dropBefore: true }, { config: 0, admission: 'open' }], wantConnections: 3 },
  ];
  for (const c of cases) {
    const origin = await countingOrigin();
    const configs = c.configs.map((o) => config(o));
    try {
      for (const [i, s] of c.steps.entries()) {
        // Fetching in the same turn hands out the dropped socket before its close is seen.
        if (s.dropBefore) origin.dropIdle();
        const res = await fetchRemote(new URL(`${origin.url}/p${i}.png`), { config: configs[s.config], admission: s.admission });
        assert.equal(res.status, 200, `${c.name}: fetch ${i} status = ${res.status}, want 200`);
      }
      assert.equal(origin.connections(), c.wantConnections, `${c.name}: connections = ${origin.connections()}, want ${c.wantConnections}`);
    } finally {
      for (const cfg of configs) closeOriginAgents(cfg);
      await origin.close();
    }
  }
});
