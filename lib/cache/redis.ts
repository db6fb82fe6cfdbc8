/**
 * Redis cache: entries as Redis strings, the `redis://` and `rediss://` backends (ioredis), and
 * what the Cluster and Sentinel backends share with them (key names, client settings, the wait
 * for a first connection). The proxy starts even when Redis is down, keeps reconnecting, and
 * fails commands fast meanwhile so requests fall through to the origin.
 */
import { Redis, type Cluster } from 'ioredis';
import type { Cache } from './cache.js';
import { REDIS_CACHE, redisEntryKey } from './redis-keys.js';
import { DEFAULT_REDIS_KEY_PREFIX, type CacheSpec } from './spec.js';

export { redisEntryKey, redisLeaseKey } from './redis-keys.js';

type RedisSpec = Extract<CacheSpec, { kind: 'redis' }>;

/** RedisClient is a connection to one Redis (plain or through Sentinel) or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** REDIS_KEY_PREFIX namespaces our keys, so a shared Redis can tell them apart. */
export const REDIS_KEY_PREFIX = DEFAULT_REDIS_KEY_PREFIX;
/** REDIS_COMMAND_TIMEOUT_MS fails a command that got no answer in 2 s, well inside the guard's limit. */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** REDIS_CONNECT_WAIT_MS is how long startup waits for a first connection (1 s) before going on without one. */
export const REDIS_CONNECT_WAIT_MS = 1_000;
/** REDIS_MAX_RECONNECT_DELAY_MS caps the back-off between reconnection attempts (2 s). */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;

/** reconnectDelay is the back-off between reconnection attempts: 100 ms more each time, at most REDIS_MAX_RECONNECT_DELAY_MS. */
export function reconnectDelay(times: number): number {
  return Math.min(times * 100, REDIS_MAX_RECONNECT_DELAY_MS);
}

/** isCommandTimeout reports whether err is ioredis's "no answer within commandTimeout". */
export function isCommandTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === 'Command timed out';
}

/** RedisCacheSettings are the optional settings of a RedisCache. */
export interface RedisCacheSettings {
  /** Prefix of every key, with its trailing colon; REDIS_KEY_PREFIX by default. */
  keyPrefix?: string;
  /**
   * Drop the connection and connect afresh when a command times out. For Sentinel: a master that
   * hangs (paused, partitioned) keeps its connection open, so without this the client would
   * never ask the Sentinels for the master they promoted instead.
   */
  reconnectOnTimeout?: boolean;
}

/** RedisCache stores each value under `prefix + sha256(key)`, with a TTL when one is given. */
export class RedisCache implements Cache {
  /** Brand for isRedisCache. */
  readonly [REDIS_CACHE] = true;
  /** Prefix of every key, with its trailing colon. */
  readonly keyPrefix: string;
  private readonly reconnectOnTimeout: boolean;

  constructor(
    /** The ioredis client (single server, Sentinel-managed or Cluster). */
    readonly client: RedisClient,
    settings: RedisCacheSettings = {},
  ) {
    this.keyPrefix = settings.keyPrefix ?? REDIS_KEY_PREFIX;
    this.reconnectOnTimeout = settings.reconnectOnTimeout ?? false;
  }

  /** get returns the value, or undefined when missing. */
  async get(key: string): Promise<Buffer | undefined> {
    const v = await this.run(this.client.getBuffer(redisEntryKey(this.keyPrefix, key)));
    return v ?? undefined;
  }

  /** set stores value, expiring it after ttlMs when given. */
  async set(key: string, value: Buffer, ttlMs?: number): Promise<void> {
    const k = redisEntryKey(this.keyPrefix, key);
    if (ttlMs !== undefined && ttlMs > 0) await this.run(this.client.set(k, value, 'PX', Math.ceil(ttlMs)));
    else await this.run(this.client.set(k, value));
  }

  /** delete removes key. */
  async delete(key: string): Promise<void> {
    await this.run(this.client.del(redisEntryKey(this.keyPrefix, key)));
  }

  /** run awaits a command, leaving a hung connection behind when it timed out (see reconnectOnTimeout). */
  async run<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (err) {
      // Only a ready connection is dropped: the other timeouts of the same hang find it reconnecting.
      if (this.reconnectOnTimeout && isCommandTimeout(err) && this.client.status === 'ready') this.client.disconnect(true);
      throw err;
    }
  }

  /** close drops the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.client.disconnect(false);
  }
}

/** RedisCacheOptions are settings the caller may pass beyond the spec. */
export interface RedisCacheOptions {
  /** Password used when the URL has none (REDIS_PASSWORD). */
  password?: string;
  /** How long to wait for a first connection; REDIS_CONNECT_WAIT_MS by default. */
  connectWaitMs?: number;
  /** Command time limit; REDIS_COMMAND_TIMEOUT_MS by default. */
  commandTimeoutMs?: number;
}

/**
 * connectWithin starts connecting a lazily created client and waits at most waitMs for it.
 * Either way the client keeps trying in the background; until it is connected its commands
 * fail at once (no offline queue), which the guard turns into misses.
 */
export async function connectWithin(client: RedisClient, waitMs: number): Promise<void> {
  // Connection errors surface as failed commands through the guard; without a listener
  // ioredis would print every reconnection failure itself.
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.connect().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * createRedisCache connects to Redis, waiting briefly for the first connection; if Redis is
 * down it returns anyway, and commands fail (to the guard) until a reconnection succeeds.
 */
export async function createRedisCache(spec: RedisSpec, opts: RedisCacheOptions = {}): Promise<RedisCache> {
  const url = new URL(spec.url);
  const client = new Redis(spec.url, {
    // A password in the URL wins over the environment, as the URL is the more specific setting.
    password: url.password ? undefined : opts.password || undefined,
    lazyConnect: true,
    // Without an offline queue, commands fail at once while disconnected instead of piling up.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_CONNECT_WAIT_MS * 2,
    retryStrategy: reconnectDelay,
  });
  await connectWithin(client, opts.connectWaitMs ?? REDIS_CONNECT_WAIT_MS);
  return new RedisCache(client);
}
