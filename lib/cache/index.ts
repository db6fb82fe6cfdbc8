/**
 * Cache construction: turns `-cache` values into a ready cache — each backend guarded so its
 * failures are misses, several backends combined into tiers.
 */
import type { Cache } from './cache.js';
import type { Logger } from '../config.js';
import { GuardedCache } from './guard.js';
import { MemoryCache } from './memory.js';
import { DiskCache } from './disk.js';
import { TieredCache } from './tiered.js';
import { describeSpec, parseCacheSpecs, type CacheSpec } from './spec.js';

/**
 * CACHE_ENV_VARS are the environment variables the cache backends read (through
 * CreateCacheOptions.env), beside the IMAGEPROXY_* flags.
 */
export const CACHE_ENV_VARS: readonly string[] = [
  'AZURESTORAGE_ACCOUNT_NAME', 'AZURESTORAGE_ACCESS_KEY', 'REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD', 'STORAGE_EMULATOR_HOST',
];

/** CreateCacheOptions are the optional settings of createCache. */
export interface CreateCacheOptions {
  /** Called for every backend failure (backend name, error), e.g. to count it. */
  onError?: (backend: string, err: unknown) => void;
  /**
   * Environment variables the backends read: AZURESTORAGE_ACCOUNT_NAME, AZURESTORAGE_ACCESS_KEY,
   * REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD, STORAGE_EMULATOR_HOST. The CLI passes process.env; the library never reads it.
   */
  env?: Record<string, string | undefined>;
  /** Time limit per cache operation; CACHE_OP_TIMEOUT_MS by default. */
  timeoutMs?: number;
}

async function createBackend(spec: CacheSpec, env: Record<string, string | undefined>, logger: Logger): Promise<Cache> {
  switch (spec.kind) {
    case 'memory':
      return new MemoryCache({ maxBytes: spec.maxBytes, maxAgeMs: spec.maxAgeMs });
    case 'disk': {
      const disk = new DiskCache(spec.dir);
      // Leftovers of writes a crash interrupted are removed in the background, not at start-up's expense.
      disk.sweepStaleTemp().then(
        (n) => { if (n > 0) logger.info(`cache: removed ${n} stale temporary files from ${spec.dir}`); },
        (err: unknown) => logger.warn(`cache: sweeping ${spec.dir} failed: ${String(err)}`),
      );
      return disk;
    }
    case 's3': {
      const { createS3Cache } = await import('./s3.js');
      return createS3Cache(spec);
    }
    case 'gcs': {
      const { createGcsCache } = await import('./gcs.js');
      return createGcsCache(spec, { apiEndpoint: env.STORAGE_EMULATOR_HOST || undefined });
    }
    case 'azure': {
      const { createAzureCache } = await import('./azure.js');
      return createAzureCache(spec, { accountName: env.AZURESTORAGE_ACCOUNT_NAME, accessKey: env.AZURESTORAGE_ACCESS_KEY });
    }
    case 'redis': {
      const { createRedisCache } = await import('./redis.js');
      return createRedisCache(spec, { password: env.REDIS_PASSWORD });
    }
    case 'redis-cluster': {
      const { createRedisClusterCache } = await import('./redis-cluster.js');
      return createRedisClusterCache(spec, { password: env.REDIS_PASSWORD });
    }
    case 'redis-sentinel': {
      const { createRedisSentinelCache } = await import('./redis-sentinel.js');
      return createRedisSentinelCache(spec, { password: env.REDIS_PASSWORD, sentinelPassword: env.REDIS_SENTINEL_PASSWORD });
    }
  }
}

/**
 * createCache builds the cache described by -cache values (several = tiers, in order; each
 * value may itself hold several space-separated specs); undefined when specs is empty. Cloud
 * SDKs are imported lazily inside their factories. A bad value or a missing optional SDK
 * rejects with a CacheConfigError; a backend that is merely unreachable does not.
 */
export async function createCache(specs: string[], logger: Logger, opts: CreateCacheOptions = {}): Promise<Cache | undefined> {
  const parsed = parseCacheSpecs(specs);
  if (parsed.length === 0) return undefined;
  const env = opts.env ?? {};
  const tiers: GuardedCache[] = [];
  try {
    for (const spec of parsed) {
      const backend = await createBackend(spec, env, logger);
      tiers.push(new GuardedCache(backend, { name: describeSpec(spec), logger, onError: opts.onError, timeoutMs: opts.timeoutMs }));
    }
  } catch (err) {
    await Promise.all(tiers.map((t) => t.close()));
    throw err;
  }
  logger.info(`cache: ${parsed.map(describeSpec).join(' -> ')}`);
  return tiers.length === 1 ? tiers[0] : new TieredCache(tiers);
}

export { leaseStoreOf } from './lease-store.js';

/** Spec parsing and its startup error, re-exported for the CLI. */
export { CacheConfigError, parseCacheSpec, parseCacheSpecs, parseGoDuration } from './spec.js';
export type { CacheSpec } from './spec.js';
