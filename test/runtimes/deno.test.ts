/**
 * imageproxy under Deno (the `deno` devDependency's binary): the CLI server, and the library's
 * createFetchHandler served by Deno.serve, each resize a JPEG from a loopback origin, with transforms
 * on the worker pool and origins fetched through node:http, as under Node.
 */
import { test, before, after } from 'node:test';
import path from 'node:path';
import type { Origin } from '../helpers/origin.js';
import { BIN, CLI, FETCH_SERVE, resizeThrough, serveWith, startJpegOrigin } from './common.js';

const RUNTIME = path.join(BIN, 'deno');
/** RUN are the runtime's arguments before the script. */
const RUN: string[] = ['run', '-A'];

let origin: Origin;
before(async () => { origin = await startJpegOrigin(); });
after(() => origin.close());

test('under Deno the CLI server and the fetch handler resize a JPEG from a loopback origin', async () => {
  const cases = [
    { name: 'CLI server', args: [...RUN, CLI, '-addr', '127.0.0.1:0', '-allowPrivateNetworks'] },
    { name: 'createFetchHandler with Deno.serve', args: [...RUN, FETCH_SERVE] },
  ];
  for (const c of cases) {
    const served = await serveWith(RUNTIME, c.args);
    try {
      await resizeThrough(`deno ${c.name}`, served.url, origin);
    } finally {
      await served.stop();
    }
  }
});
