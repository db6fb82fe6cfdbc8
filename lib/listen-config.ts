/**
 * What a listener is told before it exists: its address (parseAddr) and its time limits for
 * clients (ServerLimits), checked. Apart from listener.ts so that the CLI can read and check its
 * flags without loading node:http.
 */
import { DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './config.js';

/**
 * MAX_SERVER_TIMEOUT_MS caps every listener time limit at one day: far beyond any sensible
 * value, and well below Node's timer limit (about 24.8 days), past which a timer fires at once.
 */
export const MAX_SERVER_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** ServerLimits are the time limits an HTTP listener holds clients to, in milliseconds. */
export interface ServerLimits {
  /** Most time from a request's first byte to the end of its headers; slower clients get 408. */
  headerTimeoutMs: number;
  /** Most time to receive a whole request, body included; at least headerTimeoutMs. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
}

/** DEFAULT_SERVER_LIMITS are the listener limits used when none are given. */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = {
  headerTimeoutMs: DEFAULT_HEADER_TIMEOUT_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
};

/**
 * checkServerLimits returns what is wrong with limits in one sentence, or undefined when they
 * are usable: each a whole number of milliseconds above 0 and at most MAX_SERVER_TIMEOUT_MS,
 * and the header limit no longer than the request limit (Node refuses that).
 */
export function checkServerLimits(limits: ServerLimits): string | undefined {
  for (const [name, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v <= 0 || v > MAX_SERVER_TIMEOUT_MS) {
      return `${name} must be a whole number of milliseconds between 1 and ${MAX_SERVER_TIMEOUT_MS}, got ${String(v)}.`;
    }
  }
  if (limits.headerTimeoutMs > limits.requestTimeoutMs) {
    return `headerTimeoutMs (${limits.headerTimeoutMs}) must not be longer than requestTimeoutMs (${limits.requestTimeoutMs}).`;
  }
  return undefined;
}

/**
 * resolveServerLimits fills the limits left out with DEFAULT_SERVER_LIMITS and throws a
 * RangeError when the result is unusable (see checkServerLimits).
 */
export function resolveServerLimits(limits: Partial<ServerLimits> = {}): ServerLimits {
  const resolved = { ...DEFAULT_SERVER_LIMITS, ...withoutUndefined(limits) };
  const problem = checkServerLimits(resolved);
  if (problem) throw new RangeError(`imageproxy: invalid server limits: ${problem}`);
  return resolved;
}

/** ListenTarget is a parsed listen address. */
export type ListenTarget = { path: string } | { host: string; port: number };

/** parseAddr parses a listen address: `unix:/path`, `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseAddr(addr: string): ListenTarget {
  if (addr.startsWith('unix:')) {
    const path = addr.slice('unix:'.length);
    if (path === '') throw new Error(`invalid listen address ${JSON.stringify(addr)}: missing socket path`);
    return { path };
  }
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new Error(`invalid listen address ${JSON.stringify(addr)}: want host:port or unix:/path`);
  }
  return { host: m[1] ?? m[2], port };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
