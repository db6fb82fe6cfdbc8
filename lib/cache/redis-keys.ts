/**
 * Redis key names of the cache tier and its fleet leases, apart from the client code so that
 * they can be used without loading ioredis.
 */
import { keyHash } from './keyhash.js';

/** REDIS_CACHE brands a RedisCache, so a tier can be recognised without importing its module. */
export const REDIS_CACHE: unique symbol = Symbol.for('imageproxy.RedisCache');

/**
 * redisEntryKey is the Redis key of a cache key: the prefix and the key's sha256, so any key
 * (long, binary, with braces) becomes a short key of known characters.
 */
export function redisEntryKey(keyPrefix: string, key: string): string {
  return keyPrefix + keyHash(key);
}

/**
 * redisLeaseKey is the key of the fleet lease on a cache key. Its hash tag is the whole entry
 * key, so in a Redis Cluster the lease lives in the entry's hash slot, on the node that holds the
 * entry (a prefix never contains braces, so the entry key itself has no tag).
 */
export function redisLeaseKey(keyPrefix: string, key: string): string {
  return `${keyPrefix}lease:{${redisEntryKey(keyPrefix, key)}}`;
}
