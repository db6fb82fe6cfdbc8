/**
 * Command-line flags of the imageproxy command, Go-style and npm-style, each also read from an
 * IMAGEPROXY_<NAME> environment variable (flags win).
 *
 * The flag set is one table (FLAGS): name, type, default, help, and how the value maps into the
 * configuration. usage() and docs/flags.md describe the same table.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_CACHE_TIMEOUT_MS, DEFAULT_CONTENT_TYPES, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_LEASE_TIME_MS,
  DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_MAX_FRAMES, DEFAULT_MAX_OUTPUT_SIDE, DEFAULT_MAX_SCANS,
  DEFAULT_MAX_PIXELS, DEFAULT_MAX_QUEUE, DEFAULT_MAX_REDIRECTS, DEFAULT_ORIGIN_IDLE_CONNS, DEFAULT_PASS_RESPONSE_HEADERS,
  DEFAULT_TRANSFORM_TIMEOUT_MS, DEFAULT_USER_AGENT, DEFAULT_WORKER_MEMORY_MB, type ProxyConfig,
} from '../lib/config.js';
import {
  DEFAULT_AVIF_QUALITY, DEFAULT_MAX_AVIF_PIXELS, DEFAULT_WEBP_QUALITY, NEGOTIABLE_FORMATS, type NegotiableFormat,
} from '../lib/config.js';
import { DEFAULT_MAX_COLOR_PROFILE_SIZE } from '../lib/config.js';
import { DEFAULT_SERVER_LIMITS, MAX_SERVER_TIMEOUT_MS, type ServerLimits } from '../lib/listen-config.js';
import { parseDuration, parseSize } from './duration.js';
import { DEFAULT_LOG_FORMAT, isLogFormat, LOG_FORMATS, type LogFormat } from '../lib/log-format.js';

/** CliOptions is what the command line asks for. */
export interface CliOptions {
  /** Listen address: host:port, :port, or unix:/path. */
  addr: string;
  /** Cache specifications, in tier order (first = fastest). */
  cacheSpecs: string[];
  /** How long in-flight requests may finish after SIGTERM, in milliseconds. */
  shutdownGraceMs: number;
  /** Time limit of one cache operation, in milliseconds. */
  cacheTimeoutMs: number;
  /** Time limits of the HTTP listener. */
  serverLimits: ServerLimits;
  /** Proxy configuration taken from the flags. */
  config: Partial<ProxyConfig>;
  /** Layout of log lines. */
  logFormat: LogFormat;
  /** Address of a separate metrics listener; '' serves /metrics on the main listener. */
  metricsAddr: string;
}

/** UsageError is a bad command line: unknown flag or bad value. The CLI exits 2 with usage(). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Kind = 'string' | 'bool' | 'int' | 'duration' | 'size' | 'list' | 'fields';

/** Parsed is the result being built; apply functions write into it. */
interface Parsed {
  addr: string;
  cacheSpecs: string[];
  shutdownGraceMs: number;
  cacheTimeoutMs: number;
  serverLimits: ServerLimits;
  help: boolean;
  version: boolean;
  logFormat: LogFormat;
  metricsAddr: string;
  config: Partial<ProxyConfig> & { limits: { maxPixels: number; maxOutputSide: number; maxFrames: number; maxScans: number; maxAvifPixels?: number } };
}

/** Flag is one entry of the flag table. */
export interface Flag {
  /** Flag name, as Go spells it. */
  name: string;
  /** How the value is written. */
  kind: Kind;
  /** Default, as it would be written on the command line. */
  default: string;
  /** One-line meaning. */
  help: string;
  /** Stores the converted value; `where` names the flag or variable for error messages. */
  apply(p: Parsed, value: string, where: string): void;
}

const parseBool = (v: string, where: string): boolean => {
  // strconv.ParseBool's spellings.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new UsageError(`${where}: invalid boolean ${JSON.stringify(v)}`);
};

const parseInt10 = (v: string, where: string, min: number): number => {
  const n = /^[+-]?[0-9]+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${where}: want an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
};

const parseDur = (v: string, where: string, positive: boolean): number => {
  const ms = parseDuration(v.trim());
  if (ms === undefined || ms < 0 || (positive && ms === 0)) {
    throw new UsageError(`${where}: invalid duration ${JSON.stringify(v)} (write e.g. 30s, 1m30s, 500ms)`);
  }
  return ms;
};

/** parseServerTimeout reads a listener time limit: a duration above 0, at most a day, in whole ms. */
const parseServerTimeout = (v: string, where: string): number => {
  const ms = Math.ceil(parseDur(v, where, true));
  if (ms > MAX_SERVER_TIMEOUT_MS) throw new UsageError(`${where}: ${JSON.stringify(v)} is longer than the 24h limit`);
  return ms;
};

/** list splits a comma list, dropping blanks; '' is the empty list. */
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');
/** CODE_CACHE_TMP and CODE_CACHE_OFF are -codeCache's two words: the default folder, and none. */
const CODE_CACHE_TMP = 'tmp';
const CODE_CACHE_OFF = 'off';

/**
 * codeCacheDir turns -codeCache into a directory: `tmp` is imageproxy-<uid> in the temp directory
 * (one per user, as the cache's files must belong to the user that reads them), `off` or '' none.
 */
const codeCacheDir = (v: string): string | undefined => {
  if (v === CODE_CACHE_OFF || v === '') return undefined;
  if (v !== CODE_CACHE_TMP) return v;
  // Windows has no uid, and its temp directory is the user's own.
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return path.join(tmpdir(), `imageproxy-${user}`);
};

/** fields splits on whitespace, like Go's strings.Fields. */
const fields = (v: string): string[] => v.split(/\s+/).filter((s) => s !== '');

/**
 * readSignatureKey returns a signature key: the text itself, or `@path`'s contents less one
 * trailing newline (LF or CRLF). Both commands (imageproxy -signatureKey, imageproxy-sign -key)
 * read keys with it. An unreadable file and an empty key are UsageErrors: an empty HMAC key
 * would sign and verify anything anyone can compute. `where` names the flag or variable.
 */
export function readSignatureKey(spec: string, where: string): Buffer {
  if (!spec.startsWith('@')) {
    if (spec === '') throw new UsageError(`${where}: a key must not be empty`);
    return Buffer.from(spec, 'utf8');
  }
  const file = spec.slice(1);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new UsageError(`${where}: cannot read key file ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let end = data.length;
  if (end > 0 && data[end - 1] === 0x0a) end--;
  if (end > 0 && data[end - 1] === 0x0d) end--;
  if (end === 0) throw new UsageError(`${where}: key file ${JSON.stringify(file)} is empty`);
  return data.subarray(0, end);
}

function parseBaseURL(v: string, where: string): URL | undefined {
  if (v.trim() === '') return undefined;
  let u: URL;
  try {
    u = new URL(v.trim());
  } catch {
    throw new UsageError(`${where}: invalid URL ${JSON.stringify(v)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${where}: the base URL must be http or https`);
  return u;
}

/** parseQuality reads an encoder quality, 1..100. */
const parseQuality = (v: string, where: string): number => {
  const n = parseInt10(v, where, 1);
  if (n > 100) throw new UsageError(`${where}: want a quality from 1 to 100, got ${JSON.stringify(v)}`);
  return n;
};

/** parseAutoFormat reads -autoFormat: negotiable formats in order of preference, each once. */
const parseAutoFormat = (v: string, where: string): NegotiableFormat[] => {
  const out: NegotiableFormat[] = [];
  for (const f of list(v.toLowerCase())) {
    if (!(NEGOTIABLE_FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(`${where}: ${JSON.stringify(f)} cannot be negotiated (list ${NEGOTIABLE_FORMATS.join(', ')})`);
    }
    if (!out.includes(f as NegotiableFormat)) out.push(f as NegotiableFormat);
  }
  return out;
};

/** FLAGS is the flag table: every flag the command accepts. */
export const FLAGS: readonly Flag[] = [
  { name: 'addr', kind: 'string', default: 'localhost:8080', help: 'address to listen on: host:port, :port, or unix:/path/to/socket',
    apply: (p, v) => { p.addr = v; } },
  { name: 'cache', kind: 'fields', default: '', help: 'cache location (e.g. memory, a directory, s3://..., gcs://..., azure://..., redis://..., redis-cluster://..., redis-sentinel://...); repeat or space-separate for tiers, fastest first',
    apply: (p, v) => { p.cacheSpecs.push(...fields(v)); } },
  { name: 'allowHosts', kind: 'list', default: '', help: 'comma-separated remote hosts to allow: names, *.example.com, or CIDR blocks',
    apply: (p, v) => { p.config.allowHosts = list(v); } },
  { name: 'denyHosts', kind: 'list', default: '', help: 'comma-separated remote hosts to refuse (wins over allowHosts)',
    apply: (p, v) => { p.config.denyHosts = list(v); } },
  { name: 'referrers', kind: 'list', default: '', help: 'comma-separated hosts the Referer header must name',
    apply: (p, v) => { p.config.referrers = list(v); } },
  { name: 'baseURL', kind: 'string', default: '', help: 'base URL that relative remote URLs are resolved against',
    apply: (p, v, w) => {
      const u = parseBaseURL(v, w);
      if (u) p.config.baseURL = u;
    } },
  { name: 'signatureKey', kind: 'fields', default: '', help: 'HMAC key for signed requests, or @file to read it from a file; repeat or space-separate for several',
    apply: (p, v, w) => { p.config.signatureKeys = [...(p.config.signatureKeys ?? []), ...fields(v).map((k) => readSignatureKey(k, w))]; } },
  { name: 'allowPrivateNetworks', kind: 'bool', default: 'false', help: 'allow origins on loopback, private, link-local and other non-public addresses',
    apply: (p, v, w) => { p.config.allowPrivateNetworks = parseBool(v, w); } },
  { name: 'followRedirects', kind: 'bool', default: 'true', help: 'follow origin redirects (each hop is checked again)',
    apply: (p, v, w) => { p.config.followRedirects = parseBool(v, w); } },
  { name: 'maxRedirects', kind: 'int', default: String(DEFAULT_MAX_REDIRECTS), help: 'most redirects followed for one request',
    apply: (p, v, w) => { p.config.maxRedirects = parseInt10(v, w, 0); } },
  { name: 'originIdleConns', kind: 'int', default: String(DEFAULT_ORIGIN_IDLE_CONNS), help: 'idle keep-alive connections kept per origin (0: a new connection per request)',
    apply: (p, v, w) => { p.config.originIdleConns = parseInt10(v, w, 0); } },
  { name: 'timeout', kind: 'duration', default: '30s', help: 'time limit for a whole request (Go duration: 30s, 1m30s, 500ms)',
    apply: (p, v, w) => { p.config.timeoutMs = parseDur(v, w, true); } },
  { name: 'maxSourceSize', kind: 'size', default: '50MB', help: 'largest remote body: bytes, or with a KB/MB/GB suffix (1 KB = 1024 bytes)',
    apply: (p, v, w) => {
      const n = parseSize(v);
      if (n === undefined || n <= 0) throw new UsageError(`${w}: invalid size ${JSON.stringify(v)} (write e.g. 50MB, 512KB, 1048576)`);
      p.config.maxSourceBytes = n;
    } },
  { name: 'maxSourceMemory', kind: 'size', default: '256MB', help: 'most bytes of origin bodies held at once by requests in progress; beyond it requests get 503 (one request alone is always admitted)',
    apply: (p, v, w) => {
      const n = parseSize(v);
      if (n === undefined || n <= 0) throw new UsageError(`${w}: invalid size ${JSON.stringify(v)} (write e.g. 256MB, 1GB)`);
      p.config.maxSourceMemory = n;
    } },
  { name: 'contentTypes', kind: 'list', default: DEFAULT_CONTENT_TYPES.join(','), help: 'comma-separated content types to allow (wildcards allowed); empty allows all',
    apply: (p, v) => { p.config.contentTypes = list(v); } },
  { name: 'userAgent', kind: 'string', default: DEFAULT_USER_AGENT, help: 'User-Agent sent to origins',
    apply: (p, v) => { p.config.userAgent = v; } },
  { name: 'passRequestHeaders', kind: 'list', default: '', help: 'comma-separated request headers copied from the client to the origin',
    apply: (p, v) => { p.config.passRequestHeaders = list(v); } },
  { name: 'passResponseHeaders', kind: 'list', default: DEFAULT_PASS_RESPONSE_HEADERS.join(','), help: 'comma-separated response headers copied from the origin to the client',
    apply: (p, v) => { p.config.passResponseHeaders = list(v); } },
  { name: 'includeReferer', kind: 'bool', default: 'false', help: "send the client's Referer header to the origin",
    apply: (p, v, w) => { p.config.includeReferer = parseBool(v, w); } },
  { name: 'scaleUp', kind: 'bool', default: 'false', help: 'allow every image to scale beyond its original size',
    apply: (p, v, w) => { p.config.scaleUp = parseBool(v, w); } },
  { name: 'verbose', kind: 'bool', default: 'false', help: 'log every request',
    apply: (p, v, w) => { p.config.verbose = parseBool(v, w); } },
  { name: 'logFormat', kind: 'string', default: DEFAULT_LOG_FORMAT, help: `layout of log lines: ${LOG_FORMATS.join(' or ')} (one JSON object a line, with an ISO timestamp)`,
    apply: (p, v, w) => {
      // An empty value (IMAGEPROXY_LOGFORMAT= in an env file, say) leaves the default.
      const f = v.trim() === '' ? DEFAULT_LOG_FORMAT : v.trim();
      if (!isLogFormat(f)) throw new UsageError(`${w}: want ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(v)}`);
      p.logFormat = f;
    } },
  { name: 'metricsAddr', kind: 'string', default: '', help: 'serve /metrics on this address (host:port or unix:/path) instead of -addr, with the same time limits',
    apply: (p, v) => { p.metricsAddr = v.trim(); } },
  { name: 'minCacheDuration', kind: 'duration', default: '0s', help: 'cache responses for at least this long, whatever the origin says',
    apply: (p, v, w) => { p.config.minCacheDurationMs = parseDur(v, w, false); } },
  { name: 'forceCache', kind: 'bool', default: 'false', help: 'cache responses even when the origin says private or no-store',
    apply: (p, v, w) => { p.config.forceCache = parseBool(v, w); } },
  { name: 'maxPixels', kind: 'int', default: String(DEFAULT_MAX_PIXELS), help: 'largest image (width x height, summed over frames) that will be decoded',
    apply: (p, v, w) => { p.config.limits.maxPixels = parseInt10(v, w, 1); } },
  { name: 'maxOutputSide', kind: 'int', default: String(DEFAULT_MAX_OUTPUT_SIDE), help: 'largest output width or height',
    apply: (p, v, w) => { p.config.limits.maxOutputSide = parseInt10(v, w, 1); } },
  { name: 'maxFrames', kind: 'int', default: String(DEFAULT_MAX_FRAMES), help: 'most GIF frames that will be decoded',
    apply: (p, v, w) => { p.config.limits.maxFrames = parseInt10(v, w, 1); } },
  { name: 'maxScans', kind: 'int', default: String(DEFAULT_MAX_SCANS), help: 'most scans a (progressive) JPEG may have',
    apply: (p, v, w) => { p.config.limits.maxScans = parseInt10(v, w, 1); } },
  { name: 'maxAvifPixels', kind: 'int', default: String(DEFAULT_MAX_AVIF_PIXELS), help: 'largest AVIF output (width x height); larger AVIF requests get 422 (AVIF costs far more CPU per pixel than JPEG)',
    apply: (p, v, w) => { p.config.limits.maxAvifPixels = parseInt10(v, w, 1); } },
  { name: 'webpQuality', kind: 'int', default: String(DEFAULT_WEBP_QUALITY), help: 'WebP quality (1-100) when a request names none',
    apply: (p, v, w) => { p.config.webpQuality = parseQuality(v, w); } },
  { name: 'avifQuality', kind: 'int', default: String(DEFAULT_AVIF_QUALITY), help: 'AVIF quality (1-100) when a request names none',
    apply: (p, v, w) => { p.config.avifQuality = parseQuality(v, w); } },
  { name: 'autoFormat', kind: 'list', default: '', help: 'comma-separated formats (avif, webp) chosen from the Accept header, in order of preference, when a transform URL names no format; empty is off',
    apply: (p, v, w) => { p.config.autoFormat = parseAutoFormat(v, w); } },
  { name: 'maxColorProfileSize', kind: 'int', default: String(DEFAULT_MAX_COLOR_PROFILE_SIZE), help: 'largest embedded ICC colour profile read, in bytes; a larger one is ignored (pixels taken as sRGB)',
    // Set only when it differs from the default, which the transform applies when the field is absent.
    apply: (p, v, w) => {
      const n = parseInt10(v, w, 1);
      if (n !== DEFAULT_MAX_COLOR_PROFILE_SIZE) Object.assign(p.config.limits, { maxColorProfileSize: n });
    } },
  { name: 'keepColorProfile', kind: 'bool', default: 'false', help: "keep the source's ICC profile in JPEG, PNG and WebP output (pixels unchanged) instead of converting to sRGB",
    apply: (p, v, w) => { if (parseBool(v, w)) Object.assign(p.config.limits, { keepColorProfile: true }); } },
  { name: 'transformTimeout', kind: 'duration', default: `${DEFAULT_TRANSFORM_TIMEOUT_MS / 1000}s`, help: 'time limit for one transform; past it the worker is restarted and the answer is 422',
    apply: (p, v, w) => { p.config.transformTimeoutMs = parseDur(v, w, true); } },
  { name: 'workerMemory', kind: 'int', default: String(DEFAULT_WORKER_MEMORY_MB), help: 'heap limit of each transform worker, in megabytes',
    apply: (p, v, w) => { p.config.workerMemoryMb = parseInt10(v, w, 16); } },
  { name: 'cacheTimeout', kind: 'duration', default: `${DEFAULT_CACHE_TIMEOUT_MS / 1000}s`, help: 'time limit for one cache operation; a slower backend counts as a miss',
    apply: (p, v, w) => { p.cacheTimeoutMs = parseDur(v, w, true); } },
  { name: 'fleetLeases', kind: 'bool', default: 'true', help: 'with a Redis cache tier, let one instance of the fleet fetch and transform a missed image while the others wait for its entry',
    apply: (p, v, w) => { p.config.fleetLeases = parseBool(v, w); } },
  { name: 'leaseTime', kind: 'duration', default: `${DEFAULT_LEASE_TIME_MS / 1000}s`, help: 'life of a fleet lease, and the most an instance waits for another one\'s work before doing it itself',
    apply: (p, v, w) => { p.config.leaseTimeMs = parseDur(v, w, true); } },
  { name: 'workers', kind: 'int', default: '0', help: 'transform worker threads; 0 means one per CPU the process may use (the cgroup CPU quota in a container)',
    apply: (p, v, w) => { p.config.workers = parseInt10(v, w, 0); } },
  { name: 'codeCache', kind: 'string', default: CODE_CACHE_TMP, help: `where workers keep compiled code between starts (a faster start): a directory, ${CODE_CACHE_TMP} (a private folder in the system's temp directory) or ${CODE_CACHE_OFF}`,
    apply: (p, v) => { p.config.codeCacheDir = codeCacheDir(v); } },
  { name: 'maxQueue', kind: 'int', default: String(DEFAULT_MAX_QUEUE), help: 'most transforms waiting for a worker before requests get 503',
    apply: (p, v, w) => { p.config.maxQueue = parseInt10(v, w, 0); } },
  { name: 'headerTimeout', kind: 'duration', default: `${DEFAULT_HEADER_TIMEOUT_MS / 1000}s`, help: "time limit for a client to send a request's headers, from its first byte; slower clients get 408",
    apply: (p, v, w) => { p.serverLimits.headerTimeoutMs = parseServerTimeout(v, w); } },
  { name: 'requestTimeout', kind: 'duration', default: `${DEFAULT_REQUEST_TIMEOUT_MS / 1000}s`, help: 'time limit for a client to send a whole request, body included; at least -headerTimeout',
    apply: (p, v, w) => { p.serverLimits.requestTimeoutMs = parseServerTimeout(v, w); } },
  { name: 'keepAliveTimeout', kind: 'duration', default: `${DEFAULT_KEEP_ALIVE_TIMEOUT_MS / 1000}s`, help: 'how long an idle keep-alive connection stays open; keep it above the idle timeout of a load balancer in front',
    apply: (p, v, w) => { p.serverLimits.keepAliveTimeoutMs = parseServerTimeout(v, w); } },
  { name: 'shutdownGrace', kind: 'duration', default: '10s', help: 'how long in-flight requests may finish after SIGTERM',
    apply: (p, v, w) => { p.shutdownGraceMs = parseDur(v, w, false); } },
  { name: 'version', kind: 'bool', default: 'false', help: 'print the version and exit',
    apply: (p, v, w) => { p.version = parseBool(v, w); } },
  { name: 'help', kind: 'bool', default: 'false', help: 'print this help and exit',
    apply: (p, v, w) => { p.help = parseBool(v, w); } },
];

/** envName is the environment variable a flag also reads. */
export function envName(flag: string): string {
  return `IMAGEPROXY_${flag.toUpperCase()}`;
}

const byName = new Map(FLAGS.map((f) => [f.name.toLowerCase(), f]));
byName.set('h', byName.get('help')!);

/** Repeatable flags accumulate; every other flag takes its last value. */
const repeatable = (f: Flag): boolean => f.kind === 'fields';

/** readArgv turns argv into flag -> values, in order. */
function readArgv(argv: string[]): Map<Flag, string[]> {
  const seen = new Map<Flag, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      if (i + 1 < argv.length) throw new UsageError(`unexpected argument ${JSON.stringify(argv[i + 1])}`);
      break;
    }
    const m = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const flag = byName.get(m[1].toLowerCase());
    if (!flag) throw new UsageError(`unknown flag ${JSON.stringify(arg.split('=')[0])}`);
    let value = m[2];
    if (value === undefined) {
      if (flag.kind === 'bool') {
        const next = argv[i + 1];
        if (next === 'true' || next === 'false') {
          value = next;
          i++;
        } else {
          value = 'true';
        }
      } else {
        if (i + 1 >= argv.length) throw new UsageError(`flag -${flag.name} needs a value`);
        value = argv[++i];
      }
    }
    const vals = seen.get(flag) ?? [];
    vals.push(value);
    seen.set(flag, vals);
  }
  return seen;
}

function initial(): Parsed {
  return {
    addr: 'localhost:8080', cacheSpecs: [], shutdownGraceMs: 0, cacheTimeoutMs: DEFAULT_CACHE_TIMEOUT_MS, help: false,
    version: false,
    serverLimits: { ...DEFAULT_SERVER_LIMITS },
    logFormat: DEFAULT_LOG_FORMAT, metricsAddr: '',
    config: { limits: { maxPixels: DEFAULT_MAX_PIXELS, maxOutputSide: DEFAULT_MAX_OUTPUT_SIDE, maxFrames: DEFAULT_MAX_FRAMES, maxScans: DEFAULT_MAX_SCANS } },
  };
}

/**
 * parseFlags turns argv (without node and script) and env into CliOptions.
 *
 * Accepts `-name value`, `-name=value`, `--name value`, `--name=value`; booleans bare, `=true/false`
 * or followed by `true`/`false`. Every flag also reads IMAGEPROXY_<NAME>; a flag given on the
 * command line wins over its variable. Throws UsageError for unknown flags and bad values.
 */
export function parseFlags(argv: string[], env: Record<string, string | undefined>): CliOptions & { help: boolean; version: boolean } {
  const fromArgv = readArgv(argv);
  const p = initial();
  for (const flag of FLAGS) {
    let values = fromArgv.get(flag);
    let where = `flag -${flag.name}`;
    if (!values) {
      const e = env[envName(flag.name)];
      // An empty variable means "empty" only where empty is a meaningful value.
      if (e !== undefined && (e !== '' || flag.kind === 'list' || flag.kind === 'string')) {
        values = [e];
        where = envName(flag.name);
      }
    }
    if (!values) values = [flag.default];
    if (repeatable(flag)) {
      for (const v of values) flag.apply(p, v, where);
    } else {
      flag.apply(p, values[values.length - 1], where);
    }
  }
  if (p.config.signatureKeys === undefined) p.config.signatureKeys = [];
  if (p.config.signatureKeys.some((k) => k.length === 0)) throw new UsageError('flag -signatureKey: a key must not be empty');
  if (p.addr.trim() === '' || p.addr === 'unix:') throw new UsageError('flag -addr: the address must not be empty');
  const { headerTimeoutMs, requestTimeoutMs } = p.serverLimits;
  if (headerTimeoutMs > requestTimeoutMs) {
    throw new UsageError(`flag -headerTimeout (${headerTimeoutMs} ms) must not be longer than -requestTimeout (${requestTimeoutMs} ms)`);
  }
  return {
    addr: p.addr, cacheSpecs: p.cacheSpecs, shutdownGraceMs: p.shutdownGraceMs, cacheTimeoutMs: p.cacheTimeoutMs,
    serverLimits: p.serverLimits, config: p.config, help: p.help,
    version: p.version,
    logFormat: p.logFormat, metricsAddr: p.metricsAddr,
  };
}

/** usage returns the help text: every flag with its variable, default and one-line meaning. */
export function usage(): string {
  const lines = [
    'Usage: imageproxy [flags]',
    '',
    'Flags may be written -name value, -name=value, --name value or --name=value; booleans may stand',
    'alone. Every flag is also read from the environment variable IMAGEPROXY_<NAME IN CAPITALS>;',
    'a flag on the command line wins.',
    '',
  ];
  for (const f of FLAGS) {
    const type = f.kind === 'bool' ? '' : ` ${f.kind === 'fields' || f.kind === 'list' ? 'string' : f.kind}`;
    lines.push(`  -${f.name}${type}   (${envName(f.name)})`);
    lines.push(`        ${f.help}${f.default !== '' && f.default !== 'false' ? ` (default ${JSON.stringify(f.default)})` : ''}`);
  }
  return lines.join('\n');
}
