/**
 * Redis Sentinel cache: the `redis-sentinel://` and `rediss-sentinel://` backends. ioredis asks
 * the Sentinels for the current master and follows a failover: while there is no master the
 * commands fail at once (misses), and the client reconnects to whichever server is promoted.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSentinelSpec } from './spec.js';
import {
  connectWithin, reconnectDelay, RedisCache, REDIS_COMMAND_TIMEOUT_MS, REDIS_CONNECT_WAIT_MS, type RedisCacheOptions,
} from './redis.js';

/** SentinelCacheOptions add the Sentinels' own password (REDIS_SENTINEL_PASSWORD) to the Redis options. */
export interface SentinelCacheOptions extends RedisCacheOptions {
  /** Password of the Sentinel processes, when they require one (`requirepass` in sentinel.conf). */
  sentinelPassword?: string;
}

/** sentinelOptions are the ioredis settings of a Sentinel spec: fail fast, follow failovers. */
export function sentinelOptions(spec: RedisSentinelSpec, opts: SentinelCacheOptions = {}): RedisOptions {
  const commandTimeout = opts.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
  return {
    sentinels: spec.sentinels.map((n) => ({ host: n.host, port: n.port })),
    name: spec.master,
    username: spec.username,
    // A password in the URL wins over the environment, as the URL is the more specific setting.
    password: spec.password ?? (opts.password || undefined),
    sentinelPassword: opts.sentinelPassword || undefined,
    tls: spec.tls ? {} : undefined,
    enableTLSForSentinelMode: spec.tls,
    sentinelTLS: spec.tls ? {} : undefined,
    lazyConnect: true,
    // Without an offline queue, commands fail at once while there is no master to talk to.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout,
    sentinelCommandTimeout: commandTimeout,
    connectTimeout: REDIS_CONNECT_WAIT_MS * 2,
    retryStrategy: reconnectDelay,
    sentinelRetryStrategy: reconnectDelay,
    // ioredis's failoverDetector (listening for +switch-master) is left off: a switch announced
    // while the client is reconnecting ends the client for good (ioredis 5.11). A failover closes
    // the old master's connections, and a master that hangs instead is left after a command
    // timeout (RedisCache's reconnectOnTimeout), so the Sentinels are asked again either way.
    failoverDetector: false,
    // A demoted master answers writes with READONLY: reconnecting asks the Sentinels for the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}

/**
 * createRedisSentinelCache connects to the master the Sentinels name, waiting briefly for the
 * first connection; if none is reachable it returns anyway and commands fail (to the guard) until
 * a reconnection succeeds.
 */
export async function createRedisSentinelCache(spec: RedisSentinelSpec, opts: SentinelCacheOptions = {}): Promise<RedisCache> {
  const client = new Redis(sentinelOptions(spec, opts));
  await connectWithin(client, opts.connectWaitMs ?? REDIS_CONNECT_WAIT_MS);
  return new RedisCache(client, { keyPrefix: spec.keyPrefix, reconnectOnTimeout: true });
}
