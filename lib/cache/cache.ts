/**
 * Cache interfaces: the byte store every backend implements, and the HTTP response record the
 * proxy keeps in it.
 */

/**
 * Cache is a byte store keyed by string; every backend (memory, disk, S3, GCS, Azure, Redis,
 * tiers) implements it.
 *
 * Implementations may throw or reject on backend failure; the proxy wraps every cache in a
 * guard that turns failures into misses, so a broken cache never fails a request.
 */
export interface Cache {
  /** get returns the stored bytes, or undefined on a miss. */
  get(key: string): Promise<Buffer | undefined>;
  /** set stores value under key; ttlMs, when given, is a hint for backends that expire. */
  set(key: string, value: Buffer, ttlMs?: number): Promise<void>;
  /** delete removes key; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * peek returns the stored bytes at once, or undefined when the backend cannot tell without
   * waiting (every backend but memory) or has no entry; a backend in this process implements it
   * so that a hit need not wait a turn of the event loop.
   */
  peek?(key: string): Buffer | undefined;
  /** close releases connections and timers. */
  close?(): Promise<void>;
}

/**
 * CachedResponse is an HTTP response as the proxy stores it: an origin response or a
 * transformed variant.
 */
export interface CachedResponse {
  /** HTTP status (200 for anything stored today). */
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  /** Response body. */
  body: Buffer;
  /** When the response was received from the origin (ms since the epoch). */
  storedAt: number;
  /** When the response stops being fresh (ms since the epoch). */
  expiresAt: number;
}
