import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCache } from '../../../lib/cache/index.js';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { objectName } from '../../../lib/cache/s3.js';
import { keyHash } from '../../../lib/cache/disk.js';
import { S3RVER_KEY, startS3rver } from '../../helpers/servers.js';
import { quietLogger, runCacheContract, serverTarget } from './contract.js';

// The AWS SDK reads credentials from the environment itself (the library never does);
// s3rver accepts its default key pair.
process.env.AWS_ACCESS_KEY_ID = S3RVER_KEY;
process.env.AWS_SECRET_ACCESS_KEY = S3RVER_KEY;
delete process.env.AWS_PROFILE;

runCacheContract('s3 (s3rver)', async () => {
  const server = await startS3rver('cache-bucket');
  const spec = `s3://us-east-1/${server.bucket}/some/prefix?endpoint=127.0.0.1:${server.port}&disableSSL=1&s3ForcePathStyle=1`;
  return serverTarget(spec, () => server.stop(), { honoursTtl: false, timeoutMs: 5000 });
});

test('s3 backend', async (suite) => {
  await suite.test('names objects prefix/sha256(key)', () => {
    const cases: Array<{ prefix: string; key: string; want: string }> = [
      { prefix: '', key: 'k', want: keyHash('k') },
      { prefix: 'p', key: 'k', want: `p/${keyHash('k')}` },
      { prefix: '/a/b/', key: 'k', want: `a/b/${keyHash('k')}` },
    ];
    for (const { prefix, key, want } of cases) {
      const got = objectName(prefix, key);
      assert.equal(got, want, `objectName(${prefix}, ${key}) = ${got}, want ${want}`);
    }
  });

  await suite.test('stores under the prefix in the bucket, visible to a second client', async () => {
    const server = await startS3rver('other-bucket');
    const spec = `s3://us-east-1/other-bucket/pre?endpoint=http://127.0.0.1:${server.port}&s3ForcePathStyle=1`;
    const a = await createCache([spec], quietLogger());
    const b = await createCache([spec], quietLogger());
    const otherPrefix = await createCache([spec.replace('/pre?', '/elsewhere?')], quietLogger());
    assert.ok(a instanceof GuardedCache && b && otherPrefix);
    await a.set('k', Buffer.from('shared'));
    assert.deepEqual(await b.get('k'), Buffer.from('shared'), 'second client get(k) = miss, want <shared>');
    assert.equal(await otherPrefix.get('k'), undefined, 'get(k) under another prefix = hit, want undefined');
    assert.equal(a.errors, 0, `errors = ${a.errors}, want 0`);
    await Promise.all([a.close(), b.close?.(), otherPrefix.close?.()]);
    await server.stop();
  });
});
