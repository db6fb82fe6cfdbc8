// Serves imageproxy's createFetchHandler with the runtime's own server (Bun.serve or Deno.serve)
// on 127.0.0.1 at an ephemeral port, and prints `fetch handler listening on HOST:PORT`.
// test/runtimes/bun.test.ts and deno.test.ts start it; private networks are allowed for their
// loopback origin. Plain JavaScript, so both runtimes run it as it is.
import { createFetchHandler } from '../../dist/lib/index.js';

const quiet = { info() {}, warn() {}, error() {} };
const handler = createFetchHandler({ allowPrivateNetworks: true, logger: quiet, healthCheck: true });

if (globalThis.Bun) {
  const server = globalThis.Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
  console.log(`fetch handler listening on 127.0.0.1:${server.port}`);
} else if (globalThis.Deno) {
  globalThis.Deno.serve({
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ hostname, port }) => console.log(`fetch handler listening on ${hostname}:${port}`),
  }, handler);
} else {
  console.error('fetch-serve.mjs runs under Bun or Deno');
  process.exit(2);
}
