// rediss-cluster:// and rediss-sentinel:// against TLS-only servers with a CA of the test's own:
// trusted through NODE_EXTRA_CA_CERTS in a child process (as an operator would), refused without.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createCache } from '../../../lib/cache/index.js';
import type { LeaseChildEvent } from '../../helpers/lease-child.js';
import { startLeaseChild } from '../../helpers/lease-children.js';
import { makeTestCertificates, startRedisCluster, startRedisSentinel, type TestCertificates } from '../../helpers/servers.js';
import { quietLogger } from './contract.js';

type Result = Extract<LeaseChildEvent, { event: 'result' }>;

test('Redis over TLS', async (suite) => {
  let dir: string;
  let certs: TestCertificates;
  const stops: Array<() => Promise<void>> = [];
  suite.before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ipx-redis-tls-'));
    certs = await makeTestCertificates(dir);
  });
  suite.after(async () => {
    for (const stop of stops) await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const targets: Array<{ name: string; start: () => Promise<{ url: string; stop(): Promise<void> }> }> = [
    { name: 'rediss-cluster:// (three TLS-only masters)', start: async () => {
      const c = await startRedisCluster({ tls: certs });
      return { url: c.url(), stop: () => c.stop() };
    } },
    { name: 'rediss-sentinel:// (TLS-only master and Sentinel)', start: async () => {
      const s = await startRedisSentinel({ replicas: 0, sentinels: 1, tls: certs });
      return { url: s.url(), stop: () => s.stop() };
    } },
  ];
  for (const target of targets) {
    await suite.test(`${target.name}: stores and finds entries and leases when the CA is trusted, misses when not`, async () => {
      const server = await target.start();
      stops.push(() => server.stop());
      const url = server.url;
      assert.match(url, /^rediss-/, `the test server's URL ${url} is not a TLS one`);

      const child = await startLeaseChild(url, 5000, { NODE_EXTRA_CA_CERTS: certs.ca });
      try {
        child.send({ id: 'first', key: 'https://example.com/tls.jpg', workMs: 10 });
        const first = (await child.next((e) => e.event === 'result' && e.id === 'first')) as Result;
        child.send({ id: 'second', key: 'https://example.com/tls.jpg', workMs: 10 });
        const second = (await child.next((e) => e.event === 'result' && e.id === 'second')) as Result;
        assert.deepEqual([first.outcome, second.outcome], ['led', 'hit'], `over TLS: ${first.outcome} then ${second.outcome}, want led then hit`);
      } finally {
        await child.end();
      }

      // This process does not trust the test CA: every command fails, and each failure is a miss.
      let errors = 0;
      const untrusting = await createCache([url], quietLogger(), { onError: () => errors++, timeoutMs: 3000 });
      assert.ok(untrusting);
      const got = await untrusting.get('https://example.com/tls.jpg');
      await untrusting.close?.();
      assert.equal(got, undefined, 'get without trusting the CA = hit, want a miss');
      assert.ok(errors > 0, 'no failure counted without trusting the CA');
    });
  }
});
