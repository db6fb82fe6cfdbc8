/**
 * The transform worker's entry: what each worker thread of the pool runs.
 *
 * .ci/embed-worker.mjs bundles this module and everything it imports into one script
 * (worker-source.ts), which the pool starts from memory, so no worker file has to sit at a path
 * the pool can find: the same code runs from dist/, from a packed tarball and from a consumer's
 * bundle. The compiled codec wasm arrives on workerData's codecPort when the worker first needs
 * it (the pool compiles it once per process), which is why the bundle leaves the embedded codec
 * bytes out.
 */
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { expectCodecModules, type CodecModules } from '../codecs/wasm/loader.js';
import { transform } from '../transform/transform.js';
import { provideTransformModules } from '../transform/wasm/runtime.js';
import { serveTransforms } from './worker.js';
import { CODEC_REQUEST, WORKER_DATA_KEY, type CodecDelivery, type WorkerStartData } from './protocol.js';
import { deepWarmUp, warmUp } from './warmup.js';

/** receiveCodecs asks the pool for the codec modules on port and resolves with its one CodecDelivery. */
function receiveCodecs(port: MessagePort): Promise<CodecModules> {
  port.postMessage(CODEC_REQUEST);
  return new Promise((resolve, reject) => {
    port.once('message', (d: CodecDelivery) => {
      port.close();
      if (d.modules) resolve(d.modules);
      else reject(new Error(`The pool could not compile the codec wasm: ${d.error}`));
    });
  });
}

if (!isMainThread) {
  const data = (workerData as Record<string, unknown> | null)?.[WORKER_DATA_KEY] as WorkerStartData | undefined;
  const codecPort = data?.codecPort;
  if (codecPort) {
    // The port must not hold the worker open, nor be read before an image needs a codec.
    codecPort.unref();
    expectCodecModules(() => receiveCodecs(codecPort), data.codecs);
  }
  if (data?.transformModules) provideTransformModules(data.transformModules);
  serveTransforms(transform, data?.warmUp ? warmUp : undefined, deepWarmUp);
}
