/**
 * Redis cache: entries as Redis strings, the `redis://` and `rediss://` backends (ioredis).
 * The proxy starts even when Redis is down, keeps reconnecting, and fails commands fast
 * meanwhile so requests fall through to the origin.
 */
import { Redis } from 'ioredis';
import type { Cache } from './cache.js';
import { keyHash } from './disk.js';
import type { CacheSpec } from './spec.js';

type RedisSpec = Extract<CacheSpec, { kind: 'redis' }>;

/** REDIS_KEY_PREFIX namespaces our keys, so a shared Redis can tell them apart. */
export const REDIS_KEY_PREFIX = 'imageproxy:';
/** REDIS_COMMAND_TIMEOUT_MS fails a command that got no answer in 2 s, well inside the guard's limit. */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** REDIS_CONNECT_WAIT_MS is how long startup waits for a first connection (1 s) before going on without one. */
export const REDIS_CONNECT_WAIT_MS = 1_000;
/** REDIS_MAX_RECONNECT_DELAY_MS caps the back-off between reconnection attempts (2 s). */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;

/** RedisCache stores each value under `imageproxy:sha256(key)`, with a TTL when one is given. */
export class RedisCache implements Cache {
  constructor(
    /** The ioredis client. */
    readonly client: Redis,
  ) {}

  /** get returns the value, or undefined when missing. */
  async get(key: string): Promise<Buffer | undefined> {
    const v = await this.client.getBuffer(REDIS_KEY_PREFIX + keyHash(key));
    return v ?? undefined;
  }

  /** set stores value, expiring it after ttlMs when given. */
  async set(key: string, value: Buffer, ttlMs?: number): Promise<void> {
    const k = REDIS_KEY_PREFIX + keyHash(key);
    if (ttlMs !== undefined && ttlMs > 0) await this.client.set(k, value, 'PX', Math.ceil(ttlMs));
    else await this.client.set(k, value);
  }

  /** delete removes key. */
  async delete(key: string): Promise<void> {
    await this.client.del(REDIS_KEY_PREFIX + keyHash(key));
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
    retryStrategy: (times) => Math.min(times * 100, REDIS_MAX_RECONNECT_DELAY_MS),
  });
  // Connection errors surface as failed commands through the guard; without a listener
  // ioredis would print every reconnection failure itself.
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.connect().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, opts.connectWaitMs ?? REDIS_CONNECT_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
  return new RedisCache(client);
}
