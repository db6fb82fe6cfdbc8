#!/usr/bin/env node
/**
 * The imageproxy command: parses flags (and IMAGEPROXY_* environment variables), builds the
 * cache, serves, and on SIGTERM/SIGINT stops accepting, lets in-flight requests finish within
 * the grace period, closes the transform pool and the cache, and exits 0.
 *
 * Cold start: this module imports only what parsing flags needs and the pool (no node:http, no
 * pino, no codec). The pool's first worker is started as soon as the flags are known, and boots
 * on its own thread while this one loads the logger and the server's modules (the server,
 * metrics, the cache backends) by dynamic import; listen() then waits for whichever finishes
 * last. Modules the configuration does not use are never loaded.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFlags, usage, UsageError } from './flags.js';
import type { ProxyServer } from '../lib/server.js';
import { defaultConfig, type Logger } from '../lib/config.js';
import { parseAddr } from '../lib/listen-config.js';
import { HeldLogger, logFields } from '../lib/log-format.js';
import { createTransformPool, poolOptionsFor } from '../lib/pool/pool.js';

/** MainIO is where main writes and the environment it reads; tests substitute their own. */
export interface MainIO {
  /** Receives normal output (the listening line, usage for -help). */
  stdout(line: string): void;
  /** Receives usage errors and fatal errors. */
  stderr(line: string): void;
  /** Log lines of the proxy and the cache; default: the structured logger (-logFormat) on standard output. */
  logger?: Logger;
}

/** Running is a started proxy: its bound address, and how to stop it. */
export interface Running {
  /** Address as bound, e.g. `127.0.0.1:8080` or `unix:/run/imageproxy.sock`. */
  addr: string;
  /** The server. */
  server: ProxyServer;
  /** shutdown stops the server gracefully (within the configured grace period). */
  shutdown(): Promise<void>;
}

/**
 * METRICS_LOAD_DELAY_MS is how long after listening prom-client is loaded (if no scrape loaded it
 * first): late enough to stay off the first requests' path (on a loaded 2-core machine the first
 * transform is answered about a second after listening, and loading prom-client costs the main
 * thread some 60 ms), early enough for the default metrics (event loop lag, GC) to cover nearly all
 * of the process's life.
 */
const METRICS_LOAD_DELAY_MS = 5000;

const defaultIO: MainIO = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/**
 * start parses argv and env, builds the cache and starts listening. It resolves with the running
 * server, or with an exit code when there is nothing to run: 0 after -help and -version, 2 for a bad flag or
 * cache spec, 1 when the address cannot be bound.
 */
export async function start(argv: string[], env: Record<string, string | undefined>, io: MainIO = defaultIO): Promise<Running | number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv, env);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`imageproxy: ${err.message}\n\n${usage()}`);
      return 2;
    }
    throw err;
  }
  if (flags.help) {
    io.stdout(usage());
    return 0;
  }
  if (flags.version) {
    io.stdout(`imageproxy ${packageVersion()}`);
    return 0;
  }
  try {
    parseAddr(flags.addr);
  } catch (err) {
    io.stderr(`imageproxy: flag -addr: ${err instanceof Error ? err.message : String(err)}\n\n${usage()}`);
    return 2;
  }
  if (flags.metricsAddr !== '') {
    try {
      parseAddr(flags.metricsAddr);
    } catch (err) {
      io.stderr(`imageproxy: flag -metricsAddr: ${err instanceof Error ? err.message : String(err)}\n\n${usage()}`);
      return 2;
    }
  }
  // The first worker starts before anything else loads (pino, the server): it boots on its own
  // thread meanwhile, and its log lines wait for the logger.
  const poolLog = new HeldLogger();
  const pool = createTransformPool(poolOptionsFor({ ...defaultConfig(), ...flags.config, logger: poolLog }));
  const [{ createLogger }, { createCache, CacheConfigError }, { createDeferredMetrics, loadMetrics }, { createServer }] = await Promise.all([
    import('../lib/log.js'), import('../lib/cache/index.js'), import('../lib/metrics-deferred.js'), import('../lib/server.js'),
  ]);
  const logger = io.logger ?? createLogger({ format: flags.logFormat });
  poolLog.attach(logger);
  // prom-client loads after listening (METRICS_LOAD_DELAY_MS), or at the first scrape: not on the way to the first answer.
  const metrics = createDeferredMetrics({ defaultMetrics: true });
  let cache;
  try {
    cache = await createCache(flags.cacheSpecs, logger, {
      env, timeoutMs: flags.cacheTimeoutMs, onError: () => metrics.cacheErrors.inc(),
    });
  } catch (err) {
    await pool.close();
    if (err instanceof CacheConfigError) {
      io.stderr(`imageproxy: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const server = createServer({ logger, ...flags.config, cache }, {
    transformer: pool, metrics, serverLimits: flags.serverLimits, metricsAddr: flags.metricsAddr || undefined,
  });
  let addr: string;
  try {
    addr = await server.listen(flags.addr);
  } catch (err) {
    io.stderr(`imageproxy: cannot listen on ${flags.addr}: ${err instanceof Error ? err.message : String(err)}`);
    await server.close(0);
    return 1;
  }
  if (flags.logFormat === 'json') {
    // Standard output stays all JSON lines.
    logFields(logger, 'info', `imageproxy listening on ${addr}`, { addr, metricsAddr: server.metricsAddress });
  } else {
    io.stdout(`imageproxy listening on ${addr}`);
    if (server.metricsAddress) io.stdout(`imageproxy metrics listening on ${server.metricsAddress}`);
  }
  const loadTimer = setTimeout(() => void loadMetrics(metrics).catch((err: unknown) => logger.error(`imageproxy: metrics: ${String(err)}`)), METRICS_LOAD_DELAY_MS);
  loadTimer.unref();
  return { addr, server, shutdown: () => { clearTimeout(loadTimer); return server.close(flags.shutdownGraceMs); } };
}

/**
 * packageVersion is the version in the package.json of the imageproxy package this command
 * belongs to: the nearest one above this file named imageproxy (dist/bin/ in the package, bin/
 * in a checkout), or "unknown" when the command was moved out of its package (a bundle).
 */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'imageproxy' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here, or not one we can read: look further up.
    }
    const up = path.dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

/**
 * main runs the command until SIGTERM or SIGINT and resolves with the exit code; a second
 * signal during shutdown exits at once with 1.
 */
export async function main(argv: string[], env: Record<string, string | undefined>, io: MainIO = defaultIO): Promise<number> {
  const running = await start(argv, env, io);
  if (typeof running === 'number') return running;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.stderr(`imageproxy: ${signal} again, exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      running.server.handler.config.logger.info(`imageproxy: ${signal} received, finishing in-flight requests`);
      running.shutdown().then(
        () => resolve(0),
        (err: unknown) => {
          io.stderr(`imageproxy: shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** isEntryPoint reports whether this module is the program being run (also through an npm bin link). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/**
 * enableCompileCache turns on Node's on-disk code cache for the modules loaded from here on
 * (Node 22.1 and later have module.enableCompileCache; on older versions this does nothing), so a
 * second start skips compiling them. It never fails the start.
 */
async function enableCompileCache(): Promise<void> {
  try {
    const mod = (await import('node:module')) as { enableCompileCache?: () => unknown };
    mod.enableCompileCache?.();
  } catch {
    // An optimisation only.
  }
}

if (isEntryPoint()) {
  // A last line of defence: the handler never lets a promise go unobserved, but if a dependency
  // does, log it instead of taking every in-flight request down with the process.
  process.on('unhandledRejection', (reason) => {
    console.error(`imageproxy: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  });
  enableCompileCache().then(() => main(process.argv.slice(2), process.env)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`imageproxy: ${err instanceof Error ? err.stack : String(err)}`);
      process.exit(1);
    },
  );
}
