/**
 * Tiered cache: several caches consulted in order, usually a small fast one in front of a
 * large slow one (`-cache memory -cache s3://...`).
 */
import type { Cache } from './cache.js';

/**
 * TieredCache looks a key up in each tier in order; a hit in a lower tier is copied into every
 * tier above it. Writes and deletes go to every tier.
 *
 * Tiers are expected to be guarded (see GuardedCache): a tier that throws fails the operation.
 */
export class TieredCache implements Cache {
  constructor(
    /** The tiers, fastest first. */
    readonly tiers: Cache[],
  ) {
    if (tiers.length === 0) throw new Error('TieredCache needs at least one tier');
  }

  /** get returns the first hit, filling the tiers above the one that had it. */
  async get(key: string): Promise<Buffer | undefined> {
    for (let i = 0; i < this.tiers.length; i++) {
      const v = await this.tiers[i].get(key);
      if (v !== undefined) {
        // The lower tier does not know the entry's remaining lifetime; the entry's own
        // expiresAt (inside the frame) still governs freshness.
        await Promise.all(this.tiers.slice(0, i).map((t) => t.set(key, v)));
        return v;
      }
    }
    return undefined;
  }

  /** peek asks the first tier only: a lower tier's hit must also fill the tiers above it. */
  peek(key: string): Buffer | undefined {
    return this.tiers[0].peek?.(key);
  }

  /** set writes to every tier. */
  async set(key: string, value: Buffer, ttlMs?: number): Promise<void> {
    await Promise.all(this.tiers.map((t) => t.set(key, value, ttlMs)));
  }

  /** delete removes key from every tier. */
  async delete(key: string): Promise<void> {
    await Promise.all(this.tiers.map((t) => t.delete(key)));
  }

  /** close closes every tier. */
  async close(): Promise<void> {
    await Promise.all(this.tiers.map((t) => t.close?.()));
  }
}
