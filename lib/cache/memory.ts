/**
 * Memory cache: an in-process LRU bounded by bytes, the `memory` and `memory:SIZE:AGE` backends.
 */
import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.js';

/** MemoryCacheOptions configure a MemoryCache. */
export interface MemoryCacheOptions {
  /** Largest total size of stored values, in bytes. */
  maxBytes: number;
  /** Longest time an entry is kept, in ms; 0 = no limit. */
  maxAgeMs: number;
}

/**
 * MemoryCache keeps values in an LRU bounded by their total byte size. An entry larger than
 * the whole cache is not stored. Values are stored as given, not copied.
 */
export class MemoryCache implements Cache {
  private readonly lru: LRUCache<string, Buffer>;
  private readonly maxAgeMs: number;

  constructor(opts: MemoryCacheOptions) {
    this.maxAgeMs = opts.maxAgeMs;
    this.lru = new LRUCache<string, Buffer>({
      maxSize: opts.maxBytes,
      // Count at least one byte so empty values still take a slot in the budget.
      sizeCalculation: (v) => Math.max(1, v.length),
      ttl: opts.maxAgeMs > 0 ? opts.maxAgeMs : undefined,
      ttlAutopurge: false,
    });
  }

  /** get returns the value, or undefined when missing or expired. */
  async get(key: string): Promise<Buffer | undefined> {
    return this.peek(key);
  }

  /** peek returns the value at once (a memory lookup never waits), or undefined. */
  peek(key: string): Buffer | undefined {
    return this.lru.get(key);
  }

  /** set stores value; the TTL is the smaller of ttlMs and the cache's maximum age. */
  async set(key: string, value: Buffer, ttlMs?: number): Promise<void> {
    let ttl = this.maxAgeMs > 0 ? this.maxAgeMs : undefined;
    if (ttlMs !== undefined && ttlMs > 0) ttl = ttl === undefined ? ttlMs : Math.min(ttl, ttlMs);
    this.lru.set(key, value, { ttl });
  }

  /** delete removes key. */
  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  /** size is the total byte size of stored values. */
  get size(): number {
    return this.lru.calculatedSize;
  }

  /** close drops every entry. */
  async close(): Promise<void> {
    this.lru.clear();
  }
}
