/**
 * Fleet leases in Redis: the LeaseStore of FleetLeases on the same client as the Redis cache tier
 * (single server, Sentinel or Cluster). A lease is a string key next to its entry (same hash
 * slot), set with `SET NX PX` and finished by a script that checks the holder's token.
 */
import { LEASE_DONE, type LeaseStore } from '../flow/lease.js';
import type { RedisCache, RedisClient } from './redis.js';
import { REDIS_CACHE, redisLeaseKey } from './redis-keys.js';

/**
 * FINISH_SCRIPT replaces the lease by the done mark only while it still holds the caller's token
 * (compare-and-set in one step), so a holder whose lease expired never ends a newer holder's.
 */
export const FINISH_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/** RedisLeaseStore keeps fleet leases under `prefix + 'lease:{' + entry key + '}'`. */
export class RedisLeaseStore implements LeaseStore {
  constructor(
    /** The client of the Redis cache tier. */
    readonly client: RedisClient,
    /** The tier's key prefix, so leases sit beside their entries. */
    readonly keyPrefix: string,
  ) {}

  /** acquire takes the lease with `SET key token NX PX ttl`. */
  async acquire(key: string, token: string, ttlMs: number): Promise<boolean> {
    const reply = await this.client.set(redisLeaseKey(this.keyPrefix, key), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return reply === 'OK';
  }

  /** peek reads the lease. */
  async peek(key: string): Promise<string | undefined> {
    return (await this.client.get(redisLeaseKey(this.keyPrefix, key))) ?? undefined;
  }

  /** finish runs FINISH_SCRIPT. */
  async finish(key: string, token: string, markMs: number): Promise<boolean> {
    const reply = await this.client.eval(FINISH_SCRIPT, 1, redisLeaseKey(this.keyPrefix, key), token, LEASE_DONE, Math.max(1, Math.ceil(markMs)));
    return reply === 1;
  }
}

/** isRedisCache reports whether a cache (unwrapped) is a Redis tier, without loading ioredis. */
export function isRedisCache(cache: unknown): cache is RedisCache {
  return typeof cache === 'object' && cache !== null && (cache as { [REDIS_CACHE]?: unknown })[REDIS_CACHE] === true;
}

/** redisLeaseStore is the lease store that shares a Redis cache tier's connection and prefix. */
export function redisLeaseStore(cache: RedisCache): RedisLeaseStore {
  return new RedisLeaseStore(cache.client, cache.keyPrefix);
}
