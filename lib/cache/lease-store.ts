/**
 * Finding the fleet lease store of a built cache. Its own module, apart from cache/index.ts, so
 * the core can import it without pulling every backend (disk, cloud SDKs) into a Workers bundle.
 */
import type { Cache } from './cache.js';
import { GuardedCache } from './guard.js';
import { TieredCache } from './tiered.js';
import type { RedisCache } from './redis.js';
import { isRedisCache, redisLeaseStore } from './redis-lease.js';
import type { LeaseStore } from '../flow/lease.js';

/**
 * leaseStoreOf finds the first Redis tier (single, Cluster or Sentinel) of a cache createCache
 * built, looking through tiers and guards, and returns a fleet lease store on its connection and
 * key prefix; undefined when the cache has no Redis tier.
 */
export function leaseStoreOf(cache: Cache | undefined): LeaseStore | undefined {
  const redis = findRedisTier(cache);
  return redis ? redisLeaseStore(redis) : undefined;
}

function findRedisTier(cache: Cache | undefined): RedisCache | undefined {
  if (cache instanceof TieredCache) {
    for (const tier of cache.tiers) {
      const found = findRedisTier(tier);
      if (found) return found;
    }
    return undefined;
  }
  if (cache instanceof GuardedCache) return findRedisTier(cache.inner);
  return isRedisCache(cache) ? cache : undefined;
}

