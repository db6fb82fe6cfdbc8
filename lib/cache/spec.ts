/**
 * Cache specifications: parsing of `-cache` flag values into backend descriptions, with the
 * same forms the Go server accepts, plus the startup errors a bad value or a missing optional
 * SDK produces.
 */
import { goParseDuration } from '../request/goformat.js';

/** DEFAULT_MEMORY_CACHE_MB is the size of a bare `memory` cache, as in the Go server (100 MB). */
export const DEFAULT_MEMORY_CACHE_MB = 100;

/** CacheSpec describes one cache backend named by a `-cache` value. */
export type CacheSpec =
  | { kind: 'memory'; maxBytes: number; maxAgeMs: number }
  | { kind: 'disk'; dir: string }
  | {
      kind: 's3';
      region: string;
      bucket: string;
      prefix: string;
      endpoint?: string;
      disableSSL: boolean;
      forcePathStyle: boolean;
    }
  | { kind: 'gcs'; bucket: string; prefix: string }
  | { kind: 'azure'; container: string; prefix: string; endpoint?: string }
  | { kind: 'redis'; url: string };

/**
 * CacheConfigError is a `-cache` value or cache environment the server cannot start with.
 *
 * It is a startup error for the operator, never sent to a client, so it is not a ProxyError.
 */
export class CacheConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheConfigError';
  }
}

/** parseGoDuration is goParseDuration (request/goformat.ts): a Go duration in milliseconds, or undefined. */
export const parseGoDuration = goParseDuration;

function trimSlashes(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/+$/, '');
}

function parseMemory(opaque: string, original: string): CacheSpec {
  const colon = opaque.indexOf(':');
  const sizePart = colon < 0 ? opaque : opaque.slice(0, colon);
  if (!/^\d+$/.test(sizePart)) {
    throw new CacheConfigError(`The cache value "${original}" needs a size in megabytes, as in memory:200:4h.`);
  }
  let maxAgeMs = 0;
  if (colon >= 0) {
    const age = parseGoDuration(opaque.slice(colon + 1));
    if (age === undefined || age < 0) {
      throw new CacheConfigError(`The cache value "${original}" has a bad maximum age; use a Go duration such as 4h or 30m.`);
    }
    maxAgeMs = age;
  }
  // The Go server counts a megabyte as 10^6 bytes (size*1e6).
  const maxBytes = Number(sizePart) * 1e6;
  if (maxBytes < 1) {
    throw new CacheConfigError(`The cache value "${original}" must have a size of at least 1 MB.`);
  }
  return { kind: 'memory', maxBytes, maxAgeMs };
}

function flag(v: string | null): boolean {
  // aws-sdk-go's session options are switched on by "1" in the Go server; "true" is accepted too.
  return v === '1' || v === 'true';
}

/**
 * parseCacheSpec parses one `-cache` value (a single spec, no spaces) into a CacheSpec.
 *
 * Forms: `memory`, `memory:SIZE_MB[:MAX_AGE]`, a directory path, `file:///path`,
 * `s3://region/bucket[/prefix][?endpoint=..&disableSSL=1&s3ForcePathStyle=1]`,
 * `gcs://bucket[/prefix]`, `azure://container[/prefix][?endpoint=URL]`,
 * `redis://[:password@]host[:port][/db]` and `rediss://...`.
 *
 * Unlike the Go server, a value with an unknown URL scheme (e.g. `memcache://x`) is an error
 * rather than a directory of that odd name, so a typo fails at startup.
 */
export function parseCacheSpec(value: string): CacheSpec {
  const v = value.trim();
  if (v === '') throw new CacheConfigError('The cache value is empty.');
  if (v === 'memory') {
    return { kind: 'memory', maxBytes: DEFAULT_MEMORY_CACHE_MB * 1e6, maxAgeMs: 0 };
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(v)?.[1].toLowerCase();
  // A one-letter "scheme" is a Windows drive letter, and no scheme at all is a plain path.
  if (scheme === undefined || scheme.length === 1) return { kind: 'disk', dir: v };
  if (scheme === 'memory') return parseMemory(v.slice('memory:'.length), v);

  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new CacheConfigError(`The cache value "${v}" is not a valid URL.`);
  }
  const host = decodeURIComponent(u.hostname);
  const path = decodeURIComponent(u.pathname);
  switch (scheme) {
    case 'file': {
      if (u.hostname !== '' && u.hostname !== 'localhost') {
        throw new CacheConfigError(`The cache value "${v}" must be file:///absolute/path.`);
      }
      if (path === '' || path === '/') {
        throw new CacheConfigError(`The cache value "${v}" names no directory.`);
      }
      return { kind: 'disk', dir: path };
    }
    case 's3': {
      const [bucket, ...rest] = trimSlashes(path).split('/');
      if (host === '' || !bucket) {
        throw new CacheConfigError(`The cache value "${v}" must have the form s3://region/bucket/optional-prefix.`);
      }
      const endpoint = u.searchParams.get('endpoint') || undefined;
      return {
        kind: 's3',
        region: host,
        bucket,
        prefix: rest.join('/'),
        endpoint,
        disableSSL: flag(u.searchParams.get('disableSSL')),
        forcePathStyle: flag(u.searchParams.get('s3ForcePathStyle')),
      };
    }
    case 'gcs': {
      if (host === '') throw new CacheConfigError(`The cache value "${v}" must have the form gcs://bucket/optional-prefix.`);
      return { kind: 'gcs', bucket: host, prefix: trimSlashes(path) };
    }
    case 'azure': {
      if (host === '') throw new CacheConfigError(`The cache value "${v}" must have the form azure://container/optional-prefix.`);
      const endpoint = u.searchParams.get('endpoint') || undefined;
      return { kind: 'azure', container: host, prefix: trimSlashes(path), endpoint };
    }
    case 'redis':
    case 'rediss': {
      if (host === '') throw new CacheConfigError(`The cache value "${v}" must name a Redis host, as in redis://localhost:6379/0.`);
      const db = trimSlashes(path);
      if (db !== '' && !/^\d+$/.test(db)) {
        throw new CacheConfigError(`The cache value "${v}" has a database "${db}" that is not a number.`);
      }
      return { kind: 'redis', url: v };
    }
    default:
      throw new CacheConfigError(
        `The cache value "${v}" has an unknown scheme "${scheme}:"; use memory, a directory, file, s3, gcs, azure, redis or rediss.`,
      );
  }
}

/**
 * parseCacheSpecs parses every `-cache` value, in order, into the tiers they describe.
 *
 * As in the Go server, each value may hold several space-separated specs, and repeating the flag
 * adds tiers; empty values are ignored.
 */
export function parseCacheSpecs(values: string[]): CacheSpec[] {
  return values.flatMap((value) => value.split(/\s+/).filter((s) => s !== '')).map(parseCacheSpec);
}

/** describeSpec names a spec for log lines without any password it may contain. */
export function describeSpec(spec: CacheSpec): string {
  switch (spec.kind) {
    case 'memory':
      return `memory(${spec.maxBytes / 1e6}MB)`;
    case 'disk':
      return `disk(${spec.dir})`;
    case 's3':
      return `s3(${spec.bucket}${spec.prefix ? '/' + spec.prefix : ''})`;
    case 'gcs':
      return `gcs(${spec.bucket}${spec.prefix ? '/' + spec.prefix : ''})`;
    case 'azure':
      return `azure(${spec.container}${spec.prefix ? '/' + spec.prefix : ''})`;
    case 'redis': {
      const u = new URL(spec.url);
      return `redis(${u.host}${u.pathname === '/' ? '' : u.pathname})`;
    }
  }
}

/**
 * importOptional loads an optional SDK with load(), turning "module not found" into a
 * CacheConfigError that names the package to install.
 */
export async function importOptional<T>(pkg: string, backend: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CacheConfigError(`The ${backend} cache needs the optional package ${pkg}; install it with "npm install ${pkg}".`);
    }
    throw err;
  }
}
