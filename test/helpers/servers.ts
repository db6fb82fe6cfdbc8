/**
 * Real backing servers for the cache tests, each on 127.0.0.1 with an ephemeral (or freshly
 * picked free) port and its own temporary directory: redis-server (Debian package), s3rver and
 * azurite (npm devDependencies), and the fake GCS server from fakegcs.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths.js';

/** startFakeGcs is re-exported so tests find every server helper here. */
export { startFakeGcs, type FakeGcs } from './fakegcs.js';

/** SERVER_START_TIMEOUT_MS bounds how long a server may take to say it is listening (azurite is slow on a busy machine). */
export const SERVER_START_TIMEOUT_MS = 60_000;

/** AZURITE_ACCOUNT is Azurite's documented well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
/** AZURITE_KEY is the documented well-known key of AZURITE_ACCOUNT (public, development only). */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
/** S3RVER_KEY is the access key id and secret s3rver accepts by default. */
export const S3RVER_KEY = 'S3RVER';

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** freePort asks the OS for a free port on 127.0.0.1 (for servers that cannot take port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Spawned {
  child: ChildProcess;
  match: RegExpExecArray;
}

function spawnUntil(cmd: string, args: string[], cwd: string, ready: RegExp): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(cmd)} did not start within ${SERVER_START_TIMEOUT_MS} ms:\n${out}`));
    }, SERVER_START_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stderr?.removeListener('data', onData);
        // Keep draining output so the child never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, match: m });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${path.basename(cmd)} exited with ${code} before it was ready:\n${out}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/** RunningServer is a started server; stop() ends it and removes its temporary directory. */
export interface RunningServer {
  /** Port it listens on. */
  port: number;
  /** stop ends the server (idempotent). */
  stop(): Promise<void>;
}

/** RedisServer is a running redis-server. */
export interface RedisServer extends RunningServer {
  /** redis://127.0.0.1:PORT URL. */
  url: string;
  /** start starts it again on the same port after stop(). */
  start(): Promise<void>;
}

/** startRedis starts redis-server on a free 127.0.0.1 port, without persistence, optionally with a password. */
export async function startRedis(opts: { password?: string } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipx-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    if (opts.password) args.push('--requirepass', opts.password);
    let child: ChildProcess;
    try {
      ({ child } = await spawnUntil('redis-server', args, dir, /Ready to accept connections/));
    } catch (err) {
      // Another process may have taken the port between freePort and bind; try a new one.
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    let current: ChildProcess | undefined = child;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      async stop() {
        if (current) await stopChild(current);
        current = undefined;
        rmSync(dir, { recursive: true, force: true });
      },
      async start() {
        if (current) return;
        mkdirSync(dir, { recursive: true });
        ({ child: current } = await spawnUntil('redis-server', args, dir, /Ready to accept connections/));
      },
    };
  }
}

/** S3Server is a running s3rver with one bucket. */
export interface S3Server extends RunningServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** The bucket created at startup. */
  bucket: string;
}

/** startS3rver starts s3rver on an ephemeral 127.0.0.1 port with bucket created. */
export async function startS3rver(bucket = 'cache-bucket'): Promise<S3Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipx-s3rver-'));
  const bin = path.join(ROOT, 'node_modules', 's3rver', 'bin', 's3rver.js');
  const { child, match } = await spawnUntil(
    process.execPath,
    [bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '-s', '--configure-bucket', bucket],
    dir,
    /S3rver listening on [\d.]+:(\d+)/,
  );
  const port = Number(match[1]);
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** AzuriteServer is a running Azurite blob service. */
export interface AzuriteServer extends RunningServer {
  /** Blob service URL including the account, e.g. http://127.0.0.1:PORT/devstoreaccount1. */
  endpoint: string;
}

/** startAzurite starts Azurite's blob service in memory on an ephemeral 127.0.0.1 port. */
export async function startAzurite(): Promise<AzuriteServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipx-azurite-'));
  const bin = path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  const { child, match } = await spawnUntil(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--inMemoryPersistence',
      '--loose',
      '--silent',
    ],
    dir,
    /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/,
  );
  const port = Number(match[1]);
  return {
    port,
    endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
