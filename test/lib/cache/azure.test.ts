import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCache, CacheConfigError } from '../../../lib/cache/index.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from '../../helpers/servers.js';
import { quietLogger, runCacheContract, serverTarget } from './contract.js';

const env = { AZURESTORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT, AZURESTORAGE_ACCESS_KEY: AZURITE_KEY };

runCacheContract('azure (azurite)', async () => {
  const server = await startAzurite();
  const spec = `azure://cache-container/imgs?endpoint=${encodeURIComponent(server.endpoint)}`;
  return serverTarget(spec, () => server.stop(), { honoursTtl: false, timeoutMs: 5000, env });
});

test('azure backend', async (suite) => {
  await suite.test('needs the account name and key', async () => {
    await assert.rejects(
      createCache(['azure://c/'], quietLogger(), { env: {} }),
      (err) => err instanceof CacheConfigError && /AZURESTORAGE_ACCOUNT_NAME/.test(err.message),
      'createCache(azure) without env did not reject with a CacheConfigError naming AZURESTORAGE_ACCOUNT_NAME',
    );
  });
});
