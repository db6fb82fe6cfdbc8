/**
 * The codec wasm loader: the jsquash builds of libwebp and libavif, obtained from base64 modules
 * generated into this folder (reached by `import`, which bundlers follow), compiled once per
 * thread or handed in precompiled, and instantiated through jsquash's emscripten glue with our
 * own `instantiateWasm`, so the glue never fetches or reads a file.
 *
 * Memory: each instance starts with 16 MiB of linear memory and grows with the image; an instance
 * whose memory grew past its keep size is dropped after the call that grew it (as the project's
 * own modules in lib/transform/wasm/runtime.ts are), so one large image does not pin hundreds of
 * megabytes in a worker for its lifetime. The pixel limits checked before decoding and encoding
 * bound how far one call can grow it (and the modules' own maximum is 2 GiB).
 */
import { noteReleasedWasm } from '../../transform/wasm/runtime.js';

/** CodecWasm names one embedded codec module. */
export type CodecWasm = 'webp_dec' | 'webp_enc' | 'avif_dec' | 'avif_enc';

/** CODEC_WASM lists every embedded codec module. */
export const CODEC_WASM: readonly CodecWasm[] = ['webp_dec', 'webp_enc', 'avif_dec', 'avif_enc'];

/** WasmModule is a compiled WebAssembly.Module (the ES lib typings lack WebAssembly; Node has it). */
export type WasmModule = object;

interface WasmApi {
  Module: { new (bytes: Uint8Array): WasmModule };
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

function wasmApi(): WasmApi {
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wa) throw new Error('This runtime has no WebAssembly');
  return wa;
}

/** EMBEDDED imports each module's base64 text on first need; literal specifiers keep it bundler-visible. */
const EMBEDDED: Record<CodecWasm, () => Promise<string>> = {
  webp_dec: async () => (await import('./webp-dec-bytes.js')).WEBP_DEC_WASM_BASE64,
  webp_enc: async () => (await import('./webp-enc-bytes.js')).WEBP_ENC_WASM_BASE64,
  avif_dec: async () => (await import('./avif-dec-bytes.js')).AVIF_DEC_WASM_BASE64,
  avif_enc: async () => (await import('./avif-enc-bytes.js')).AVIF_ENC_WASM_BASE64,
};

/** decodeBase64 turns base64 text into bytes, with Buffer where the runtime has it (much faster than atob). */
export function decodeBase64(s: string): Uint8Array {
  const B = (globalThis as unknown as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return B.from(s, 'base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const compiled = new Map<CodecWasm, Promise<WasmModule>>();
/** handed are the modules this thread waits for from another thread (expectCodecModules), asked for on first need. */
const handed = new Map<CodecWasm, () => Promise<WasmModule>>();
/** fromEmbedded lists the modules this thread compiled from its own embedded bytes. */
const fromEmbedded = new Set<CodecWasm>();

/**
 * codecModule returns the compiled module `name`: the one provided with provideCodecModules, else
 * compiled (asynchronously, once per thread) from the embedded bytes.
 */
export function codecModule(name: CodecWasm): Promise<WasmModule> {
  let p = compiled.get(name);
  const wait = handed.get(name);
  if (!p && wait) {
    p = wait();
    compiled.set(name, p);
  } else if (!p) {
    fromEmbedded.add(name);
    p = EMBEDDED[name]().then((b64) => wasmApi().compile(decodeBase64(b64)));
    p.catch(() => compiled.delete(name)); // a later call may retry
    compiled.set(name, p);
  }
  return p;
}

/**
 * compiledHere lists the modules this thread compiled from the embedded bytes (rather than being
 * handed them), so a pool can check that its workers share the main thread's compiled modules.
 */
export function compiledHere(): CodecWasm[] {
  return CODEC_WASM.filter((n) => fromEmbedded.has(n));
}

/**
 * provideCodecModules installs modules compiled elsewhere (a worker receives them from the thread
 * that compiled them, as WebAssembly.Module is structured-cloneable), so this thread never loads
 * or compiles the embedded bytes for them.
 */
export function provideCodecModules(mods: Partial<Record<CodecWasm, WasmModule>>): void {
  const M = wasmApi().Module as unknown as { [Symbol.hasInstance](v: unknown): boolean };
  for (const name of CODEC_WASM) {
    const m = mods[name];
    if (m === undefined) continue;
    if (!(m instanceof M)) throw new TypeError(`provideCodecModules: ${name} is not a WebAssembly.Module`);
    compiled.set(name, Promise.resolve(m));
  }
}

/** CodecModules are compiled codec modules by name, as one thread hands them to another. */
export type CodecModules = Partial<Record<CodecWasm, WasmModule>>;

/** CodecSource is where a thread's handed codec modules come from: a promise, or a request made on first need. */
export type CodecSource = Promise<CodecModules> | (() => Promise<CodecModules>);

/**
 * expectCodecModules makes this thread wait for the codec modules `names` (all by default) from
 * `incoming` (another thread compiles them and posts them here) instead of compiling embedded
 * bytes: a worker can start, and warm up on codecs without wasm, while the modules are still
 * being compiled. Given a function, it is called once, when a codec first needs its module (a
 * worker asks for the modules only when an image needs them). A module missing from what
 * arrives, or a rejection, fails only the calls that need it; modules not named keep loading
 * from the embedded bytes.
 */
export function expectCodecModules(incoming: CodecSource, names: readonly CodecWasm[] = CODEC_WASM): void {
  let checked: Promise<CodecModules> | undefined;
  const arrived = (): Promise<CodecModules> => checked ??= (typeof incoming === 'function' ? incoming() : incoming).then((mods) => {
    provideCodecModules(mods);
    return mods;
  });
  if (typeof incoming !== 'function') void arrived().catch(() => undefined);
  for (const name of names) {
    handed.set(name, () => {
      const p = arrived().then((mods) => mods[name] ?? Promise.reject(new Error(`The codec module ${name} was not handed to this thread.`)));
      p.catch(() => { if (compiled.get(name) === p) compiled.delete(name); });
      return p;
    });
    compiled.delete(name);
  }
}

/**
 * compileCodecModules compiles the named modules (all by default) and returns them, for a pool to
 * send to its workers with provideCodecModules.
 */
export async function compileCodecModules(names: readonly CodecWasm[] = CODEC_WASM): Promise<CodecModules> {
  // Started together, the compiles run side by side on V8's background threads.
  const mods = await Promise.all(names.map((n) => codecModule(n)));
  return Object.fromEntries(names.map((n, i) => [n, mods[i]])) as CodecModules;
}

/** EmscriptenModule is what every jsquash glue module exposes once ready. */
export interface EmscriptenModule { HEAPU8: Uint8Array }

/** GlueFactory is a jsquash emscripten glue's default export. */
export type GlueFactory<M> = (opts: object) => Promise<M>;

/**
 * CodecInstance is one codec's live emscripten instance in this thread, created on first use and
 * dropped after a call that failed or left its memory above keepBytes.
 */
export class CodecInstance<M extends EmscriptenModule> {
  private live: Promise<M> | undefined;

  constructor(
    private readonly name: CodecWasm,
    private readonly glue: () => Promise<GlueFactory<M>>,
    private readonly keepBytes: number,
  ) {}

  private start(): Promise<M> {
    const p = Promise.all([this.glue(), codecModule(this.name)]).then(([factory, module]) => factory({
      noInitialRun: true,
      // With locateFile set, the glue never builds a URL from import.meta.url (absent in CJS bundles).
      locateFile: (f: string) => f,
      instantiateWasm: (imports: object, done: (instance: object) => void) => {
        const inst = new (wasmApi().Instance)(module, imports);
        done(inst);
        return inst.exports;
      },
      print: () => undefined,
      printErr: () => undefined,
    }));
    p.catch(() => { if (this.live === p) this.live = undefined; });
    return p;
  }

  /** use runs fn on the instance and returns its result. */
  async use<T>(fn: (m: M) => T): Promise<T> {
    this.live ??= this.start();
    const live = this.live;
    const m = await live;
    let ok = false;
    try {
      const r = fn(m);
      ok = true;
      return r;
    } finally {
      // A throw may leave the C heap inconsistent (an emscripten abort always does): start afresh.
      if ((!ok || m.HEAPU8.length > this.keepBytes) && this.live === live) {
        this.live = undefined;
        noteReleasedWasm(m.HEAPU8.length);
      }
    }
  }

  /** memoryBytes is the live instance's linear memory size, 0 when none is kept. */
  async memoryBytes(): Promise<number> {
    if (!this.live) return 0;
    return (await this.live).HEAPU8.length;
  }
}

/**
 * CODEC_KEEP_BYTES is the linear memory a codec instance may keep between calls (48 MiB: a
 * 1 MP AVIF encode grows to ~36 MiB); an instance grown past it is dropped after its call, so a
 * worker keeps at most four of these (~192 MiB) however large the images it has seen.
 */
export const CODEC_KEEP_BYTES = 48 * 1024 * 1024;
