/**
 * Response cache: stores and loads HTTP responses (originals and transformed variants) in a
 * byte Cache, applying HTTP freshness rules and entry framing.
 */
import type { Cache, CachedResponse } from './cache.js';
import type { Logger } from '../config.js';
import { decodeEntry, encodeEntry } from './framing.js';
import { UNSTORED_HEADERS } from '../security/headers.js';
import { hasValidatorHeaders, storageDecision, type FreshnessPolicy, type OriginRequestInfo } from './freshness.js';

/** UNSTORED_HEADERS are never kept: hop-by-hop headers and Set-Cookie (see security/headers.ts). */
export { UNSTORED_HEADERS };

/** NOT_UPDATED_BY_304 are stored headers a 304 must not replace, since they describe the stored body. */
export const NOT_UPDATED_BY_304 = new Set(['content-length', 'content-type', 'content-encoding', 'content-range']);

/** isFresh reports whether entry may be served without asking the origin. */
export function isFresh(entry: CachedResponse, now: number): boolean {
  return now < entry.expiresAt;
}

/** hasValidators reports whether entry has an ETag or Last-Modified to revalidate with. */
export function hasValidators(entry: CachedResponse): boolean {
  return hasValidatorHeaders(entry.headers);
}

/** frozen freezes a record and its headers, so a caller that changed a shared hit would throw. */
function frozen(entry: CachedResponse): CachedResponse {
  Object.freeze(entry.headers);
  return Object.freeze(entry);
}

function storableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (!UNSTORED_HEADERS.has(name)) out[name] = v;
  }
  return out;
}

/** ResponseCacheOptions configure a ResponseCache. */
export interface ResponseCacheOptions {
  /** Raise every stored response's freshness lifetime to at least this many ms. */
  minCacheDurationMs: number;
  /** Store responses even when they say no-store or private. */
  forceCache: boolean;
  /** Where corrupt entries and failures are reported. */
  logger: Logger;
  /** Called for corrupt entries and unexpected cache failures, e.g. to count them. */
  onError?: (err: unknown) => void;
}

/**
 * ResponseCache keeps framed HTTP responses in a Cache. It never throws or rejects: a backend
 * failure or a corrupt entry is a miss (and a corrupt entry is deleted), a failed write is
 * skipped, and each is counted (onError) and logged here, so callers need no try/catch.
 *
 * An entry that has validators is stored without a backend TTL, so it can still be revalidated
 * after it goes stale; one without validators gets its freshness lifetime as TTL, since it is
 * useless once stale.
 */
export class ResponseCache {
  private readonly policy: FreshnessPolicy;
  /**
   * decoded holds the record of every framed entry this process wrote or checked, keyed by the
   * very Buffer: a memory backend hands the same Buffer back, and its bytes have not left the
   * process, so its hits skip the checksum pass over the body and the header parse. Records are
   * frozen, since every hit shares one.
   */
  private readonly decoded = new WeakMap<Buffer, CachedResponse>();

  constructor(
    /** The byte store, normally from createCache (already guarded). */
    readonly cache: Cache,
    private readonly opts: ResponseCacheOptions,
  ) {
    this.policy = { minCacheDurationMs: opts.minCacheDurationMs, forceCache: opts.forceCache };
  }

  /** get returns the stored entry (fresh or stale) or undefined; never throws. */
  async get(key: string): Promise<CachedResponse | undefined> {
    let buf: Buffer | undefined;
    try {
      buf = await this.cache.get(key);
    } catch (err) {
      this.fail('read', key, err, 'read failed, treated as a miss');
      return undefined;
    }
    if (buf === undefined) return undefined;
    try {
      return this.decode(buf);
    } catch (err) {
      this.fail('read', key, err, 'dropped a corrupt entry');
      await this.safeDelete(key);
      return undefined;
    }
  }

  /**
   * peek returns the entry at once when the backend holds it in this process, else undefined (a
   * miss, a backend that must be waited for, or a corrupt entry, which get then drops); never throws.
   */
  peek(key: string): CachedResponse | undefined {
    try {
      const buf = this.cache.peek?.(key);
      return buf === undefined ? undefined : this.decode(buf);
    } catch {
      return undefined;
    }
  }

  /** decode returns buf's record, from the memo when this process framed or checked this Buffer. */
  private decode(buf: Buffer): CachedResponse {
    const known = this.decoded.get(buf);
    if (known) return known;
    const entry = frozen(decodeEntry(buf));
    this.decoded.set(buf, entry);
    return entry;
  }

  /**
   * put stores resp if HTTP caching rules allow, and returns the stored record, or undefined;
   * never throws. `request` describes the origin request, for the rules on credentials and Vary.
   */
  async put(
    key: string,
    resp: { status: number; headers: Record<string, string>; body: Buffer },
    now: number = Date.now(),
    request?: OriginRequestInfo,
  ): Promise<CachedResponse | undefined> {
    let entry: CachedResponse;
    try {
      const headers = storableHeaders(resp.headers);
      const d = storageDecision(resp.status, headers, now, this.policy, request);
      if (!d.store) return undefined;
      entry = { status: resp.status, headers, body: resp.body, storedAt: now, expiresAt: d.expiresAt };
    } catch (err) {
      this.fail('write', key, err);
      return undefined;
    }
    await this.write(key, entry, now);
    return entry;
  }

  /**
   * refresh updates a stale entry after the origin answered 304: the 304's headers replace the
   * stored ones (except those describing the body), and the expiry is computed again. If the
   * new headers forbid storing, the entry is deleted; it is returned either way. Never throws:
   * should the update itself fail, the entry is returned with the 304's headers over its own
   * and already stale, and the stored one is left as it was.
   */
  async refresh(key: string, entry: CachedResponse, headers: Record<string, string>, now: number = Date.now()): Promise<CachedResponse> {
    let updated: CachedResponse;
    let store: boolean;
    try {
      const merged: Record<string, string> = { ...entry.headers };
      // An Age from the first response no longer describes the refreshed entry.
      delete merged['age'];
      for (const [k, v] of Object.entries(storableHeaders(headers))) {
        if (!NOT_UPDATED_BY_304.has(k)) merged[k] = v;
      }
      const d = storageDecision(entry.status, merged, now, this.policy);
      store = d.store;
      updated = { ...entry, headers: merged, storedAt: now, expiresAt: d.store ? d.expiresAt : now };
    } catch (err) {
      this.fail('refresh', key, err);
      return { ...entry, headers: { ...entry.headers, ...headers }, expiresAt: now };
    }
    if (store) await this.write(key, updated, now);
    else await this.safeDelete(key);
    return updated;
  }

  private async write(key: string, entry: CachedResponse, now: number): Promise<void> {
    try {
      const ttl = hasValidators(entry) ? undefined : Math.max(1, entry.expiresAt - now);
      const buf = encodeEntry(entry);
      // The record of these bytes, its body a view into the frame rather than the caller's buffer.
      this.decoded.set(buf, frozen({ ...entry, headers: { ...entry.headers }, body: buf.subarray(buf.length - entry.body.length) }));
      await this.cache.set(key, buf, ttl);
    } catch (err) {
      this.fail('write', key, err);
    }
  }

  private async safeDelete(key: string): Promise<void> {
    try {
      await this.cache.delete(key);
    } catch (err) {
      this.fail('delete', key, err);
    }
  }

  /** fail counts a failure and logs it; neither a broken hook nor a broken logger may fail a request. */
  private fail(op: string, key: string, err: unknown, what = `${op} failed`): void {
    try {
      this.opts.onError?.(err);
    } catch {
      // A broken metrics hook must not fail a request.
    }
    try {
      this.opts.logger.warn(`cache: ${what} for ${key}: ${err instanceof Error ? err.message || err.name : String(err)}`);
    } catch {
      // Nor a broken logger.
    }
  }
}
