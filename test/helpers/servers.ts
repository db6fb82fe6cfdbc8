/**
 * Real backing servers for the cache tests, each on 127.0.0.1 with an ephemeral (or freshly
 * picked free) port and its own temporary directory: redis-server (Debian package) alone, as a
 * Redis Cluster or behind Sentinels, s3rver and azurite (npm devDependencies), and the fake GCS
 * server from fakegcs.ts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Process id of the running server (for SIGSTOP/SIGCONT in fault tests); 0 while stopped. */
  readonly pid: number;
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
      get pid() {
        return current?.pid ?? 0;
      },
      async stop() {
        // A paused server acts on SIGTERM only once continued.
        current?.kill('SIGCONT');
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

/** REDIS_TOPOLOGY_TIMEOUT_MS bounds how long a cluster or Sentinel setup may take to agree on its shape. */
export const REDIS_TOPOLOGY_TIMEOUT_MS = 30_000;
/**
 * CLUSTER_NODE_TIMEOUT_MS is the test cluster's cluster-node-timeout (2 s instead of 15 s): a
 * stopped node is noticed quickly, yet a busy test machine does not make healthy nodes flap.
 */
export const CLUSTER_NODE_TIMEOUT_MS = 2_000;
/** SENTINEL_DOWN_AFTER_MS is the test Sentinels' down-after-milliseconds (1 s instead of 30 s), so a failover takes seconds. */
export const SENTINEL_DOWN_AFTER_MS = 1_000;

/** redisCli runs redis-cli with args and resolves with its standard output. */
export function redisCli(args: string[], password?: string): Promise<string> {
  const auth = password ? ['--no-auth-warning', '-a', password] : [];
  return new Promise((resolve, reject) => {
    execFile('redis-cli', [...auth, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = REDIS_TOPOLOGY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

/** TestCertificates are a throw-away CA and a server certificate for 127.0.0.1 it signed (PEM files). */
export interface TestCertificates {
  /** The CA certificate: what a client trusts (e.g. through NODE_EXTRA_CA_CERTS). */
  ca: string;
  /** The server certificate, valid for IP 127.0.0.1. */
  cert: string;
  /** The server certificate's private key. */
  key: string;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args[0]} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** makeTestCertificates writes a CA and a 127.0.0.1 server certificate (P-256, valid 2 days) into dir with openssl. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=imageproxy test CA', '-keyout', 'ca.key', '-out', 'ca.pem'], dir);
  await openssl(['req', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'san.ext', '-out', 'server.pem'], dir);
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}

/** tlsServerArgs are redis-server settings that serve TLS only on port, with certs; clients need not show certificates. */
function tlsServerArgs(port: number, certs: TestCertificates): string[] {
  return ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key,
    '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no'];
}

/** RedisNodeProcess is one redis-server of a cluster or Sentinel setup, restartable on its port with its files kept. */
export interface RedisNodeProcess {
  /** Port it listens on. */
  port: number;
  /** Whether it is running now. */
  readonly running: boolean;
  /** stop ends the process (SIGTERM, then SIGKILL); its directory stays, so start() brings back the same node. */
  stop(): Promise<void>;
  /** kill ends the process with SIGKILL at once. */
  kill(): Promise<void>;
  /** start starts it again after stop() or kill(). */
  start(): Promise<void>;
  /** pause stops the process with SIGSTOP: its connections stay open and go silent, as with a hung host. */
  pause(): void;
  /** resume continues a paused process (SIGCONT). */
  resume(): void;
}

/** startNode starts one redis-server with args on port and keeps it restartable. */
async function startNode(port: number, args: string[], dir: string, ready: RegExp, cmdArgs: string[] = []): Promise<RedisNodeProcess> {
  mkdirSync(dir, { recursive: true });
  const full = [...cmdArgs, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...args];
  let current: ChildProcess | undefined = (await spawnUntil('redis-server', full, dir, ready)).child;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const c = current;
    current = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    // A paused process acts on SIGTERM only once continued.
    c.kill('SIGCONT');
    if (signal === 'SIGKILL') {
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGKILL');
      await exited;
      children.delete(c);
    } else {
      await stopChild(c);
    }
  };
  return {
    port,
    get running() {
      return current !== undefined;
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async start() {
      if (current) return;
      current = (await spawnUntil('redis-server', full, dir, ready)).child;
    },
    pause: () => current?.kill('SIGSTOP'),
    resume: () => current?.kill('SIGCONT'),
  };
}

/** stopAll stops every node, ignoring failures, and removes root. */
async function stopAll(nodes: RedisNodeProcess[], root: string): Promise<void> {
  await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
  rmSync(root, { recursive: true, force: true });
}

/** RedisClusterServer is a running Redis Cluster of masters on 127.0.0.1. */
export interface RedisClusterServer {
  /** The masters, in the order their slot ranges ascend (node 0 serves slot 0). */
  nodes: RedisNodeProcess[];
  /** `127.0.0.1:P1,127.0.0.1:P2,...`, the seed list of a redis-cluster:// value. */
  seeds: string;
  /** url returns `redis-cluster://[:password@]seeds[/prefix]` (`rediss-cluster://` with TLS). */
  url(prefix?: string): string;
  /** cli runs redis-cli against the cluster's credentials and TLS: pass `-p PORT` and a command. */
  cli(args: string[]): Promise<string>;
  /** nodeForKey returns the index in nodes of the master that serves key's slot. */
  nodeForKey(key: string): Promise<number>;
  /** waitHealthy resolves once every running node reports cluster_state:ok and knows the others. */
  waitHealthy(): Promise<void>;
  /** stop ends every node and removes their directories (idempotent). */
  stop(): Promise<void>;
}

/**
 * startRedisCluster starts `masters` redis-server processes with cluster mode on free ports
 * (each with its own bus port), joins them with `redis-cli --cluster create` (no replicas), and
 * resolves once the cluster is healthy. A lost master's slots fail alone
 * (cluster-require-full-coverage no), as in a production cluster that prefers partial service.
 */
export async function startRedisCluster(opts: { masters?: number; password?: string; tls?: TestCertificates } = {}): Promise<RedisClusterServer> {
  const masters = opts.masters ?? 3;
  const root = mkdtempSync(path.join(os.tmpdir(), 'ipx-redis-cluster-'));
  const nodes: RedisNodeProcess[] = [];
  const auth = opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : [];
  const cli = (args: string[]) => redisCli([...(opts.tls ? ['--tls', '--cacert', opts.tls.ca] : []), ...args], opts.password);
  try {
    for (let i = 0; i < masters; i++) {
      const [port, bus] = [await freePort(), await freePort()];
      // With TLS the node serves TLS alone (its plain port is 0), the cluster bus included.
      const tls = opts.tls ? [...tlsServerArgs(port, opts.tls), '--tls-cluster', 'yes'] : [];
      nodes.push(await startNode(port, [
        '--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS), '--cluster-require-full-coverage', 'no',
        '--save', '', '--appendonly', 'no', ...auth, ...tls,
      ], path.join(root, String(i)), /Ready to accept connections/));
    }
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    await cli(['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes']);
  } catch (err) {
    await stopAll(nodes, root);
    throw err;
  }
  const seeds = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  let stopped = false;
  const cluster: RedisClusterServer = {
    nodes,
    seeds,
    url: (prefix) => `${opts.tls ? 'rediss' : 'redis'}-cluster://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}${seeds}${prefix ? `/${prefix}` : ''}`,
    cli,
    async nodeForKey(key) {
      const port = String(nodes.find((n) => n.running)!.port);
      const slot = Number((await cli(['-p', port, 'cluster', 'keyslot', key])).trim());
      // Lines of CLUSTER NODES: id ip:port@bus flags master ping pong epoch state slot-ranges...
      for (const line of (await cli(['-p', port, 'cluster', 'nodes'])).split('\n')) {
        const f = line.trim().split(' ');
        const nodePort = Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]);
        const owns = f.slice(8).some((r) => {
          const [lo, hi = lo] = r.split('-').map(Number);
          return slot >= lo && slot <= hi;
        });
        if (owns) return nodes.findIndex((n) => n.port === nodePort);
      }
      throw new Error(`no node serves slot ${slot} of ${key}`);
    },
    async waitHealthy() {
      await waitFor('cluster_state:ok on every node', async () => {
        for (const n of nodes.filter((x) => x.running)) {
          const info = await cli(['-p', String(n.port), 'cluster', 'info']);
          if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${nodes.length}`)) return false;
        }
        return true;
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll(nodes, root);
    },
  };
  try {
    await cluster.waitHealthy();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** RedisSentinelSetup is a master, its replicas and the Sentinels that watch them, on 127.0.0.1. */
export interface RedisSentinelSetup {
  /** Name the Sentinels know the master by. */
  masterName: string;
  /** The data servers; servers[0] is the first master, the others start as its replicas. */
  servers: RedisNodeProcess[];
  /** The Sentinel processes. */
  sentinels: RedisNodeProcess[];
  /** url returns `redis-sentinel://[:password@]sentinels/masterName[/prefix]` (`rediss-sentinel://` with TLS). */
  url(prefix?: string): string;
  /** cli runs redis-cli with the setup's TLS settings (not its password): pass `-p PORT` and a command. */
  cli(args: string[]): Promise<string>;
  /** masterPort asks a running Sentinel which port the master is on now. */
  masterPort(): Promise<number>;
  /** waitForMaster resolves once every running Sentinel names a master other than `notPort`. */
  waitForMaster(notPort: number): Promise<number>;
  /** stop ends every process and removes their directories (idempotent). */
  stop(): Promise<void>;
}

/**
 * startRedisSentinel starts a master, `replicas` replicas of it, and `sentinels` Sentinel
 * processes (`redis-server sentinel.conf --sentinel`) with a majority quorum and a 1 s
 * down-after time, and resolves once every Sentinel sees every replica and every other Sentinel,
 * so a failover can start as soon as the master goes away.
 */
export async function startRedisSentinel(
  opts: { replicas?: number; sentinels?: number; password?: string; tls?: TestCertificates } = {},
): Promise<RedisSentinelSetup> {
  const replicas = opts.replicas ?? 1;
  const count = opts.sentinels ?? 3;
  const masterName = 'ipxmaster';
  const root = mkdtempSync(path.join(os.tmpdir(), 'ipx-redis-sentinel-'));
  const servers: RedisNodeProcess[] = [];
  const sentinels: RedisNodeProcess[] = [];
  const all = (): RedisNodeProcess[] => [...sentinels, ...servers];
  const auth = opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : [];
  // A replica's first sync waits repl-diskless-sync-delay (5 s by default) for more replicas to join; here none will.
  const base = ['--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', ...auth];
  // With TLS every server and Sentinel serves TLS alone, replication and monitoring included.
  const tls = (port: number) => (opts.tls ? [...tlsServerArgs(port, opts.tls), '--tls-replication', 'yes'] : []);
  const cli = (args: string[]) => redisCli([...(opts.tls ? ['--tls', '--cacert', opts.tls.ca] : []), ...args]);
  const sentinelCli = (port: number, ...args: string[]) => cli(['-p', String(port), 'sentinel', ...args]);
  try {
    const masterPort = await freePort();
    servers.push(await startNode(masterPort, [...base, ...tls(masterPort)], path.join(root, 'server-0'), /Ready to accept connections/));
    for (let i = 1; i <= replicas; i++) {
      const port = await freePort();
      servers.push(await startNode(port, [...base, ...tls(port), '--replicaof', '127.0.0.1', String(masterPort)],
        path.join(root, `server-${i}`), /MASTER <-> REPLICA sync: Finished with success/));
    }
    const quorum = Math.floor(count / 2) + 1;
    // Sentinels find each other through hello messages every 2 s, which takes several seconds;
    // giving each one its id and its peers up front (as a rewritten sentinel.conf would) takes none.
    const peers = await Promise.all(Array.from({ length: count }, async () => ({ port: await freePort(), id: randomBytes(20).toString('hex') })));
    for (const [i, me] of peers.entries()) {
      const dir = path.join(root, `sentinel-${i}`);
      mkdirSync(dir, { recursive: true });
      const conf = path.join(dir, 'sentinel.conf');
      writeFileSync(conf, [
        `sentinel myid ${me.id}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} ${quorum}`,
        `sentinel down-after-milliseconds ${masterName} ${SENTINEL_DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${masterName} 5000`,
        ...(opts.password ? [`sentinel auth-pass ${masterName} ${opts.password}`] : []),
        ...servers.slice(1).map((r) => `sentinel known-replica ${masterName} 127.0.0.1 ${r.port}`),
        ...peers.filter((p) => p !== me).map((p) => `sentinel known-sentinel ${masterName} 127.0.0.1 ${p.port} ${p.id}`),
        '',
      ].join('\n'));
      sentinels.push(await startNode(me.port, tls(me.port), dir, /\+monitor master/, [conf, '--sentinel']));
    }
    await waitFor('every Sentinel seeing every replica and Sentinel', async () => {
      for (const s of sentinels) {
        const fields = (await sentinelCli(s.port, 'master', masterName)).split('\n');
        const field = (name: string) => fields[fields.indexOf(name) + 1];
        if (Number(field('num-slaves')) !== replicas || Number(field('num-other-sentinels')) !== count - 1) return false;
      }
      return true;
    });
  } catch (err) {
    await stopAll(all(), root);
    throw err;
  }
  const masterOf = async (port: number) => Number((await sentinelCli(port, 'get-master-addr-by-name', masterName)).split('\n')[1]);
  let stopped = false;
  return {
    masterName,
    servers,
    sentinels,
    cli,
    url: (prefix) => `${opts.tls ? 'rediss' : 'redis'}-sentinel://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${masterName}${prefix ? `/${prefix}` : ''}`,
    masterPort: () => masterOf(sentinels.find((s) => s.running)!.port),
    async waitForMaster(notPort) {
      let port = notPort;
      await waitFor(`a master other than ${notPort}`, async () => {
        const ports = await Promise.all(sentinels.filter((s) => s.running).map((s) => masterOf(s.port)));
        port = ports[0];
        return ports.every((p) => p === ports[0] && p !== notPort);
      });
      return port;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll(all(), root);
    },
  };
}
