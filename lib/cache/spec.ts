/**
 * Cache specifications: parsing of `-cache` flag values into backend descriptions, with the
 * same forms the Go server accepts, plus the startup errors a bad value or a missing optional
 * SDK produces.
 */
import { goParseDuration } from '../request/goformat.js';

/** DEFAULT_MEMORY_CACHE_MB is the size of a bare `memory` cache, as in the Go server (100 MB). */
export const DEFAULT_MEMORY_CACHE_MB = 100;

/** DEFAULT_REDIS_KEY_PREFIX namespaces our keys in a shared Redis (the prefix of `redis://` keys). */
export const DEFAULT_REDIS_KEY_PREFIX = 'imageproxy:';
/** REDIS_DEFAULT_PORT is Redis's and Redis Cluster's well-known port. */
export const REDIS_DEFAULT_PORT = 6379;
/** SENTINEL_DEFAULT_PORT is Redis Sentinel's well-known port. */
export const SENTINEL_DEFAULT_PORT = 26379;

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
  | { kind: 'redis'; url: string }
  | RedisClusterSpec
  | RedisSentinelSpec;

/** RedisNode is one host and port of a Redis Cluster seed list or of a Sentinel list. */
export interface RedisNode {
  host: string;
  port: number;
}

/** RedisAuth is the part of a multi-node Redis spec shared by Cluster and Sentinel. */
interface RedisMultiNode {
  /** Connect with TLS (`rediss-cluster://`, `rediss-sentinel://`). */
  tls: boolean;
  /** ACL user name from the URL, if any. */
  username?: string;
  /** Password from the URL, if any (REDIS_PASSWORD applies when absent). */
  password?: string;
  /** Prefix of every key, with its trailing colon (`imageproxy:` by default). */
  keyPrefix: string;
}

/** RedisClusterSpec is `redis-cluster://host:port[,host:port...][/prefix]`: seed nodes of a Redis Cluster. */
export interface RedisClusterSpec extends RedisMultiNode {
  kind: 'redis-cluster';
  /** Seed nodes; the client learns the rest of the cluster from them. */
  nodes: RedisNode[];
}

/** RedisSentinelSpec is `redis-sentinel://host:port[,host:port...]/mastername[/prefix]`: Sentinels watching one master. */
export interface RedisSentinelSpec extends RedisMultiNode {
  kind: 'redis-sentinel';
  /** The Sentinel processes to ask for the master's address. */
  sentinels: RedisNode[];
  /** Name of the monitored master (`sentinel monitor NAME ...`). */
  master: string;
}

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

/** REDIS_MULTI_URL splits `scheme://[userinfo@]hosts[/path]`; WHATWG URL cannot parse a comma-separated host list. */
const REDIS_MULTI_URL = /^(rediss?)-(cluster|sentinel):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i;
/** REDIS_NAME is what a key prefix or master name may hold: no braces (hash tags), spaces or slashes. */
const REDIS_NAME = /^[A-Za-z0-9._:-]+$/;

function decodePart(s: string, original: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new CacheConfigError(`The cache value "${original}" has a malformed %-escape.`);
  }
}

function parseRedisNodes(list: string, defaultPort: number, original: string): RedisNode[] {
  if (list === '') throw new CacheConfigError(`The cache value "${original}" names no host.`);
  return list.split(',').map((item) => {
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(item.trim());
    const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
    if (!m || port < 1 || port > 65535) {
      throw new CacheConfigError(`The cache value "${original}" has a bad host "${item}"; write host:port, separated by commas.`);
    }
    return { host: m[1] ?? m[2], port };
  });
}

function checkName(name: string, what: string, original: string): string {
  if (!REDIS_NAME.test(name)) {
    throw new CacheConfigError(`The cache value "${original}" has a ${what} "${name}" with characters other than letters, digits and . _ : -.`);
  }
  return name;
}

/**
 * parseRedisMulti parses `redis-cluster://` and `redis-sentinel://` values (and their `rediss-`
 * TLS forms): `[[user]:password@]host[:port][,host[:port]...]`, then `/prefix` for a cluster or
 * `/mastername[/prefix]` for Sentinel.
 */
function parseRedisMulti(v: string): RedisClusterSpec | RedisSentinelSpec {
  const m = REDIS_MULTI_URL.exec(v);
  if (!m) throw new CacheConfigError(`The cache value "${v}" is not a valid Redis Cluster or Sentinel URL.`);
  const [, scheme, mode, userinfo, hosts, path = '', query, fragment] = m;
  if (query !== undefined || fragment !== undefined) {
    throw new CacheConfigError(`The cache value "${v}" has a query or fragment, which ${scheme}-${mode} does not take.`);
  }
  const colon = userinfo === undefined ? -1 : userinfo.indexOf(':');
  const username = userinfo === undefined ? '' : decodePart(colon < 0 ? userinfo : userinfo.slice(0, colon), v);
  const password = colon < 0 ? '' : decodePart(userinfo!.slice(colon + 1), v);
  const segments = trimSlashes(path).split('/').filter((s) => s !== '').map((s) => decodePart(s, v));
  const common = {
    tls: scheme.toLowerCase() === 'rediss',
    ...(username !== '' ? { username } : {}),
    ...(password !== '' ? { password } : {}),
  };
  const prefixOf = (s: string | undefined): string => (s === undefined ? DEFAULT_REDIS_KEY_PREFIX : `${checkName(s, 'key prefix', v)}:`);
  if (mode.toLowerCase() === 'cluster') {
    if (segments.length > 1) throw new CacheConfigError(`The cache value "${v}" must have the form redis-cluster://host:port,host:port/optional-prefix.`);
    return { kind: 'redis-cluster', nodes: parseRedisNodes(hosts, REDIS_DEFAULT_PORT, v), ...common, keyPrefix: prefixOf(segments[0]) };
  }
  if (segments.length < 1 || segments.length > 2) {
    throw new CacheConfigError(`The cache value "${v}" must have the form redis-sentinel://host:port,host:port/mastername/optional-prefix.`);
  }
  return {
    kind: 'redis-sentinel',
    sentinels: parseRedisNodes(hosts, SENTINEL_DEFAULT_PORT, v),
    master: checkName(segments[0], 'master name', v),
    ...common,
    keyPrefix: prefixOf(segments[1]),
  };
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
 * `redis://[:password@]host[:port][/db]` and `rediss://...`,
 * `redis-cluster://[[user]:password@]host:port[,host:port...][/prefix]` and
 * `redis-sentinel://[[user]:password@]host:port[,host:port...]/mastername[/prefix]` (TLS:
 * `rediss-cluster://`, `rediss-sentinel://`).
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
  if (/^rediss?-(cluster|sentinel)$/.test(scheme)) return parseRedisMulti(v);

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
        `The cache value "${v}" has an unknown scheme "${scheme}:"; use memory, a directory, file, s3, gcs, azure, redis, rediss, redis-cluster, rediss-cluster, redis-sentinel or rediss-sentinel.`,
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

function nodeList(nodes: RedisNode[]): string {
  return nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',');
}

function prefixNote(keyPrefix: string): string {
  return keyPrefix === DEFAULT_REDIS_KEY_PREFIX ? '' : ` prefix ${keyPrefix}`;
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
    case 'redis-cluster':
      return `${spec.tls ? 'rediss' : 'redis'}-cluster(${nodeList(spec.nodes)}${prefixNote(spec.keyPrefix)})`;
    case 'redis-sentinel':
      return `${spec.tls ? 'rediss' : 'redis'}-sentinel(${spec.master}@${nodeList(spec.sentinels)}${prefixNote(spec.keyPrefix)})`;
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
