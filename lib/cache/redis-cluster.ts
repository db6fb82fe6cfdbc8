/**
 * Redis Cluster cache: the `redis-cluster://` and `rediss-cluster://` backends (ioredis Cluster).
 * Entries are the same Redis strings as with a single server; a node that is down costs only the
 * keys in its slots, which become misses, and the client picks the node up again when it returns.
 */
import { Cluster, type ClusterOptions } from 'ioredis';
import type { RedisClusterSpec } from './spec.js';
import {
  connectWithin, reconnectDelay, RedisCache, REDIS_COMMAND_TIMEOUT_MS, REDIS_CONNECT_WAIT_MS, type RedisCacheOptions,
} from './redis.js';

/**
 * CLUSTER_MAX_REDIRECTIONS bounds how often one command follows MOVED/ASK or retries a node that
 * is down (4): a resharding needs one or two hops, and a dead node then fails a command in about
 * half a second instead of ioredis's default of 16 tries.
 */
export const CLUSTER_MAX_REDIRECTIONS = 4;
/** CLUSTER_RETRY_DELAY_MS is the pause before such a retry (100 ms), long enough for a slot table refresh. */
export const CLUSTER_RETRY_DELAY_MS = 100;

/** clusterOptions are the ioredis Cluster settings of a spec: fail fast, keep reconnecting. */
export function clusterOptions(spec: RedisClusterSpec, opts: RedisCacheOptions = {}): ClusterOptions {
  return {
    lazyConnect: true,
    // Without an offline queue, commands fail at once while the cluster is unreachable.
    enableOfflineQueue: false,
    clusterRetryStrategy: reconnectDelay,
    maxRedirections: CLUSTER_MAX_REDIRECTIONS,
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    redisOptions: {
      username: spec.username,
      // A password in the URL wins over the environment, as the URL is the more specific setting.
      password: spec.password ?? (opts.password || undefined),
      tls: spec.tls ? {} : undefined,
      maxRetriesPerRequest: 1,
      commandTimeout: opts.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: REDIS_CONNECT_WAIT_MS * 2,
    },
  };
}

/**
 * createRedisClusterCache connects to a Redis Cluster through its seed nodes, waiting briefly for
 * the first connection; if the cluster is unreachable it returns anyway and commands fail (to the
 * guard) until a reconnection succeeds.
 */
export async function createRedisClusterCache(spec: RedisClusterSpec, opts: RedisCacheOptions = {}): Promise<RedisCache> {
  const client = new Cluster(spec.nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptions(spec, opts));
  await connectWithin(client, opts.connectWaitMs ?? REDIS_CONNECT_WAIT_MS);
  return new RedisCache(client, { keyPrefix: spec.keyPrefix });
}
