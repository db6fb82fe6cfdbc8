import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lib from '../../lib/index.js';

test('the package entry exports the public API', () => {
  const want: Array<{ name: string; type: string }> = [
    { name: 'imageproxy', type: 'function' },
    { name: 'createServer', type: 'function' },
    { name: 'defaultConfig', type: 'function' },
    { name: 'parseRequest', type: 'function' },
    { name: 'cacheKey', type: 'function' },
    { name: 'parseOptions', type: 'function' },
    { name: 'formatOptions', type: 'function' },
    { name: 'signURL', type: 'function' },
    { name: 'verifySignature', type: 'function' },
    { name: 'verify', type: 'function' },
    { name: 'transform', type: 'function' },
    { name: 'probe', type: 'function' },
    { name: 'createCache', type: 'function' },
    { name: 'createTransformPool', type: 'function' },
    { name: 'createMetrics', type: 'function' },
    { name: 'fetchRemote', type: 'function' },
    { name: 'sniffImageType', type: 'function' },
    { name: 'ProxyError', type: 'function' },
    { name: 'ForbiddenError', type: 'function' },
    { name: 'SECURITY_HEADERS', type: 'object' },
  ];
  for (const { name, type } of want) {
    const got = typeof (lib as Record<string, unknown>)[name];
    assert.equal(got, type, `typeof ${name} = ${got}, want ${type}`);
  }
});

test('imageproxy() from the entry builds a handler with its config defaults', async () => {
  const h = lib.imageproxy({ allowHosts: ['example.com'], timeoutMs: undefined });
  try {
    assert.deepEqual(h.config.allowHosts, ['example.com']);
    assert.equal(h.config.timeoutMs, lib.DEFAULT_TIMEOUT_MS, 'an undefined option must not erase its default');
    assert.equal(typeof h.close, 'function');
  } finally {
    await h.close();
  }
});

test('the package entry exports the core and its collaborators', () => {
  const want: Array<{ name: string; type: string }> = [
    { name: 'createCore', type: 'function' },
    { name: 'LazyTransformer', type: 'function' },
    { name: 'ClientGoneError', type: 'function' },
    { name: 'CLIENT_CLOSED_REQUEST', type: 'number' },
    { name: 'coreHeaderNames', type: 'function' },
    { name: 'nodeOrigin', type: 'function' },
    { name: 'checkTarget', type: 'function' },
    { name: 'remoteWithOptions', type: 'function' },
    { name: 'OPTIONS', type: 'object' },
    { name: 'OUTPUT_FORMATS', type: 'object' },
  ];
  for (const { name, type } of want) {
    const got = typeof (lib as Record<string, unknown>)[name];
    assert.equal(got, type, `typeof ${name} = ${got}, want ${type}`);
  }
});
