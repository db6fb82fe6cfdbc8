// The image proxy of the Electron example, as the main process runs it: a loopback-only server
// on a port the OS picks, so nothing outside this machine can reach it. Kept free of Electron
// so that imageproxy's bundle test (test/bundle/esbuild.test.ts) bundles and runs this very file.
import { createServer, MemoryCache } from 'imageproxy';

/**
 * startImageProxy starts the proxy on 127.0.0.1 and resolves with its base URL and a close
 * function. `config` is a partial imageproxy config over the example's own.
 */
export function startImageProxy(config = {}) {
  const proxy = createServer({
    // Which image hosts the app may show; a renderer cannot make the proxy fetch anything else.
    allowHosts: ['images.example.com'],
    // A desktop app has one user: a small memory cache is enough, and nothing is written to disk.
    cache: new MemoryCache({ maxBytes: 100e6, maxAgeMs: 0 }),
    ...config,
  });
  // listen() resolves once the workers are started and warm, so the first image is quick.
  return proxy.listen('127.0.0.1:0').then((addr) => ({
    base: `http://${addr}`,
    close: () => proxy.close(),
  }));
}
