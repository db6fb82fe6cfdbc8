/**
 * The pure-JS baseline: plain jimp on worker threads in this process (one job per worker at a
 * time), so it gets the same cores a worker-pool proxy would.
 */
import { Worker } from 'node:worker_threads';
import type { JimpJob, JimpReply } from './jimp-worker.js';

/** JimpPool runs fetch + jimp resize + JPEG encode jobs on a fixed set of worker threads. */
export class JimpPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  /** constructor starts `size` workers. */
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./jimp-worker.js', import.meta.url));
      w.on('message', (r: JimpReply) => {
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        this.release(w);
        if (!p) return;
        if (r.bytes) p.resolve(r.bytes);
        else p.reject(new Error(r.error ?? 'jimp worker failed'));
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  private release(w: Worker): void {
    this.idle.push(w);
    this.waiting.shift()?.();
  }

  /** resize fetches url and returns a JPEG of the given width and quality. */
  async resize(url: string, width: number, quality: number): Promise<Uint8Array> {
    while (this.idle.length === 0) await new Promise<void>((r) => this.waiting.push(r));
    const w = this.idle.pop()!;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, url, width, quality } satisfies JimpJob);
    });
  }

  /** close terminates the workers. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
