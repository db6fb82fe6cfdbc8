/**
 * The small runtime shared by the embedded WebAssembly modules: compiling base64-embedded bytes,
 * instantiating, and laying out one call's buffers in a module's memory.
 */

/** WasmApi is the part of the WebAssembly global used here (the ES lib typings lack it; Node has it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

/** WasmMemory is a module's exported linear memory. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 65536;
/** ALIGN keeps every region on a SIMD register boundary. */
const ALIGN = 16;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * released counts the bytes of module memories dropped since the last resetReleasedWasmBytes():
 * memory V8 frees only at its next full collection, which a worker's small JavaScript heap may not
 * need for a long while (see reclaimPixelMemory in lib/pool/worker.ts).
 */
let released = 0;

/** releasedWasmBytes is how much dropped module memory awaits a garbage collection. */
export function releasedWasmBytes(): number {
  return released;
}

/** noteReleasedWasm counts bytes of a wasm memory its owner has just let go of (a codec instance dropped, say). */
export function noteReleasedWasm(bytes: number): void {
  released += bytes;
}

/** resetReleasedWasmBytes says a full garbage collection has just freed the dropped memories. */
export function resetReleasedWasmBytes(): void {
  released = 0;
}

/** provided holds modules compiled in another thread, by EmbeddedModule name (provideTransformModules). */
const provided = new Map<string, object>();
/** registry lists every EmbeddedModule made in this thread, by name. */
const registry = new Map<string, EmbeddedModule<{ memory: WasmMemory }>>();

/**
 * provideTransformModules installs modules compiled in another thread (a worker receives them
 * from the pool's thread, as WebAssembly.Module is structured-cloneable), so this thread never
 * compiles them itself. Anything that is not a WebAssembly.Module is ignored.
 */
export function provideTransformModules(mods: Readonly<Record<string, object>>): void {
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wa) return;
  for (const [name, m] of Object.entries(mods)) if (m instanceof wa.Module) provided.set(name, m);
}

/**
 * compiledTransformModules compiles every EmbeddedModule made in this thread that this runtime
 * can compile and returns them by name, for provideTransformModules in another thread.
 */
export function compiledTransformModules(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [name, m] of registry) {
    const compiled = m.module();
    if (compiled) out[name] = compiled;
  }
  return out;
}

/**
 * EmbeddedModule is one embedded module, compiled on first use (or handed in compiled, see
 * provideTransformModules) and instantiated lazily; an instance whose memory grew past keepBytes
 * is dropped after the call that grew it, so that one very large image does not pin its memory
 * for the life of the thread.
 */
export class EmbeddedModule<E extends { memory: WasmMemory }> {
  private compiled: object | null | undefined;
  private instance: E | undefined;
  /** Whether callers use the module at all; tests turn it off to run the JavaScript twins. */
  private enabled = true;

  constructor(private readonly name: string, private readonly base64: string, private readonly keepBytes: number) {
    registry.set(name, this as unknown as EmbeddedModule<{ memory: WasmMemory }>);
  }

  /** available reports whether this runtime compiles the module (WebAssembly with SIMD). */
  available(): boolean {
    return this.module() !== undefined;
  }

  /** setEnabled turns the module's use on or off (on by default); off, ready() is false. */
  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  /** ready reports whether callers should use the module: enabled and available(). */
  ready(): boolean {
    return this.enabled && this.available();
  }

  /** module is the compiled module, or undefined when this runtime cannot compile it. */
  module(): object | undefined {
    if (this.compiled === undefined) {
      try {
        const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
        this.compiled = provided.get(this.name) ?? (wa ? new wa.Module(decodeBase64(this.base64)) : null);
      } catch {
        this.compiled = null;
      }
    }
    return this.compiled ?? undefined;
  }

  /** memoryBytes is the size of the live instance's memory, 0 when none is kept. */
  memoryBytes(): number {
    return this.instance ? this.instance.memory.buffer.byteLength : 0;
  }

  /**
   * call gives fn the exports with at least `bytes` of memory, and returns what fn returns.
   * The module must be available().
   */
  call<T>(bytes: number, fn: (exports: E) => T): T {
    if (!this.instance) {
      const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      this.instance = new wa.Instance(this.compiled!).exports as E;
    }
    const ex = this.instance;
    const have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / PAGE));
    try {
      return fn(ex);
    } finally {
      if (ex.memory.buffer.byteLength > this.keepBytes) {
        noteReleasedWasm(ex.memory.buffer.byteLength);
        this.instance = undefined;
      }
    }
  }
}

/**
 * rowsRead returns the range [from, to) of source lines that taps `index` read (0, 0 for none):
 * the only lines a pass needs copied into a module's memory.
 */
export function rowsRead(index: Int32Array): [from: number, to: number] {
  if (index.length === 0) return [0, 0];
  let from = index[0], to = index[0] + 1;
  for (let k = 1; k < index.length; k++) {
    if (index[k] < from) from = index[k];
    if (index[k] + 1 > to) to = index[k] + 1;
  }
  return [from, to];
}

/** Layout hands out aligned regions of a module's memory for one call. */
export class Layout {
  /** size is the memory the regions taken so far need. */
  size = 0;

  /** take reserves `bytes` and returns where they start. */
  take(bytes: number): number {
    const at = this.size;
    this.size = Math.ceil((at + bytes) / ALIGN) * ALIGN;
    return at;
  }
}
