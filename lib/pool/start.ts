/**
 * What a pool needs to start its workers: the worker's code (embedded source or a module URL)
 * and, for the embedded worker, the wasm modules compiled once in this thread.
 *
 * The embedded worker (worker-source.ts, generated from worker-main.ts) is started from a string,
 * so it works wherever the library's own code ended up (dist/, a tarball, one bundled file). It
 * holds no codec wasm bytes: this thread compiles them once, when a worker first asks for them
 * (an image needs WebP or AVIF), and posts the compiled WebAssembly.Module objects to each worker
 * that asks, over a port of its own, which costs a worker neither the bytes nor the compile. A
 * cold start serving JPEG, PNG or GIF so never parses the ~7 MB of embedded base64 nor compiles
 * ~5 MB of wasm before its first answer. The transform passes' modules are small and compile
 * synchronously, so they travel in workerData.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { compileCodecModules, type CodecModules, type CodecWasm } from '../codecs/wasm/loader.js';
import { compiledTransformModules } from '../transform/wasm/runtime.js';
// The transform passes' modules register themselves with the runtime when imported.
import '../transform/wasm/rgba.js';
import '../transform/wasm/planes.js';
import '../codecs/gifwasm/gifwasm.js';
import { WORKER_SOURCE, WORKER_SOURCE_HASH } from './worker-source.js';
import { CODEC_REQUEST, type CodecDelivery, type WorkerStartData } from './protocol.js';

/** WorkerCode is how a worker is started: from source text (eval) or from a module file. */
export type WorkerCode = { source: string } | { module: URL };

/** EMBEDDED_WORKER is the pool's own worker, bundled into source text at build time. */
export const EMBEDDED_WORKER: WorkerCode = { source: WORKER_SOURCE };

/** EMBEDDED_WORKER_HASH is the SHA-256 (hex) of the embedded worker's source, which names its code cache. */
export const EMBEDDED_WORKER_HASH: string = WORKER_SOURCE_HASH;

/**
 * WORKER_CODECS are the codec modules the pool's worker can reach: the WebP and AVIF decoders for
 * sources, and their encoders for `webp`/`avif` output (and -autoFormat). All are compiled once in
 * the main thread and handed to every worker, as the worker's own copies of the bytes are stubs.
 */
export const WORKER_CODECS: readonly CodecWasm[] = ['webp_dec', 'avif_dec', 'webp_enc', 'avif_enc'];

/** WorkerWasm is the wasm a pool hands its workers: compiled once, on first need, shared by all. */
export class WorkerWasm {
  /**
   * The codec modules, or the reason they could not be compiled; settles once they are compiled
   * (compile() starts that: a worker's first request, or the pool's owner).
   */
  readonly codecs: Promise<CodecDelivery>;
  private readonly transformModules: Record<string, object>;
  private settle!: (d: CodecDelivery) => void;
  private started = false;

  constructor() {
    this.codecs = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.transformModules = compiledTransformModules();
  }

  /** compile starts compiling the codec modules (once; later calls do nothing) and returns codecs. */
  compile(): Promise<CodecDelivery> {
    if (!this.started) {
      this.started = true;
      void compileCodecModules(WORKER_CODECS).then(
        (modules: CodecModules): CodecDelivery => ({ modules }),
        (err: unknown): CodecDelivery => ({ error: err instanceof Error ? err.message : String(err) }),
      ).then(this.settle);
    }
    return this.codecs;
  }

  /**
   * startData returns one new worker's workerData and the ports to transfer with it; when the
   * worker asks on its port (CODEC_REQUEST), the codec modules follow once compiled.
   */
  startData(warmUp: boolean): { data: WorkerStartData; transfer: MessagePort[] } {
    const { port1, port2 } = new MessageChannel();
    port1.once('message', (m: unknown) => {
      if (m !== CODEC_REQUEST) return;
      void this.compile().then((d) => {
        port1.postMessage(d);
        port1.close();
      });
    });
    // The port waits for a request without keeping the process alive; the worker itself does.
    port1.unref();
    return { data: { codecPort: port2, codecs: WORKER_CODECS, transformModules: this.transformModules, warmUp }, transfer: [port2] };
  }
}
