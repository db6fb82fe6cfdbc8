// Runs the real @google-cloud/storage SDK over HTTP against the fake GCS JSON API in
// test/helpers/fakegcs.ts. API parts covered: object download (GET ...?alt=media, with
// x-goog-hash so the SDK validates crc32c), multipart upload (POST /upload/storage/v1/...),
// and object delete (DELETE). Not covered: resumable uploads, auth, listing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCache } from '../../../lib/cache/index.js';
import { keyHash } from '../../../lib/cache/disk.js';
import { startFakeGcs } from '../../helpers/servers.js';
import { quietLogger, runCacheContract, serverTarget } from './contract.js';

// The SDK looks for credentials only when it must authenticate; against a custom endpoint it
// does not, so no real Google account is involved.
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;

runCacheContract('gcs (fake GCS JSON API)', async () => {
  const gcs = await startFakeGcs();
  return serverTarget('gcs://cache-bucket/imgs/', () => gcs.close(), {
    honoursTtl: false, timeoutMs: 5000, env: { STORAGE_EMULATOR_HOST: gcs.url },
  });
});

test('gcs backend', async (suite) => {
  await suite.test('stores objects as bucket/prefix/sha256(key) through the JSON API', async () => {
    const gcs = await startFakeGcs();
    const cache = await createCache(['gcs://b1/p/q'], quietLogger(), { env: { STORAGE_EMULATOR_HOST: gcs.url } });
    assert.ok(cache);
    await cache.set('https://example.com/x.jpg', Buffer.from('img'));
    const name = `b1/p/q/${keyHash('https://example.com/x.jpg')}`;
    assert.deepEqual(gcs.objects.get(name), Buffer.from('img'), `object ${name} = ${gcs.objects.get(name)}, want <img>`);
    assert.deepEqual(await cache.get('https://example.com/x.jpg'), Buffer.from('img'));
    await cache.delete('https://example.com/x.jpg');
    assert.equal(gcs.objects.has(name), false, `object ${name} exists after delete, want removed`);
    for (const call of ['POST upload-multipart', 'GET media', 'DELETE object']) {
      assert.ok((gcs.calls.get(call) ?? 0) >= 1, `calls[${call}] = ${gcs.calls.get(call)}, want >= 1 (calls: ${[...gcs.calls]})`);
    }
    await cache.close?.();
    await gcs.close();
  });

  await suite.test('lets the SDK pick up STORAGE_EMULATOR_HOST from the process environment by itself', async () => {
    const gcs = await startFakeGcs();
    process.env.STORAGE_EMULATOR_HOST = gcs.url;
    try {
      // No env option: the library passes nothing, the SDK reads the variable (and drops /storage/v1).
      const cache = await createCache(['gcs://b2'], quietLogger(), { env: {} });
      assert.ok(cache);
      await cache.set('k', Buffer.from('v'));
      assert.deepEqual(await cache.get('k'), Buffer.from('v'), 'get(k) via STORAGE_EMULATOR_HOST = miss, want <v>');
      assert.ok(gcs.objects.has(`b2/${keyHash('k')}`), `objects = ${[...gcs.objects.keys()]}, want b2/sha256(k)`);
      await cache.close?.();
    } finally {
      delete process.env.STORAGE_EMULATOR_HOST;
      await gcs.close();
    }
  });
});
