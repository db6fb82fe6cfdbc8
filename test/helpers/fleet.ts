/**
 * A fleet of proxies for tests: imageproxy processes started through the real CLI, and a small
 * round-robin balancer in front of them that, like a real load balancer, sends a GET that could
 * not reach one instance (refused, reset before a response) to the next one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { DIST } from './paths.js';

/** PROXY_START_TIMEOUT_MS bounds how long a proxy process may take to print its listening line. */
export const PROXY_START_TIMEOUT_MS = 20_000;

const all = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of all) c.kill('SIGKILL');
});

/** ProxyProcess is a running `imageproxy` command. */
export interface ProxyProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The process. */
  proc: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** metric returns the sum of the samples of a Prometheus metric on /metrics (e.g. a histogram's `_count`) that carry `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** stop sends SIGTERM and waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** kill ends it with SIGKILL at once. */
  kill(): Promise<void>;
}

/**
 * startProxyProcess runs `node dist/cli/imageproxy.js -addr 127.0.0.1:0 ARGS` with env (and no
 * IMAGEPROXY_* variables of this process), and resolves once it listens.
 */
export async function startProxyProcess(args: string[], env: Record<string, string> = {}): Promise<ProxyProcess> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IMAGEPROXY_')));
  const proc = spawn(process.execPath, [path.join(DIST, 'cli', 'imageproxy.js'), '-addr', '127.0.0.1:0', ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  all.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => { all.delete(proc); resolve(); }));
  const addr = await new Promise<string>((resolve, reject) => {
    const deadline = Date.now() + PROXY_START_TIMEOUT_MS;
    const look = (): void => {
      const m = /^imageproxy listening on (\S+)$/m.exec(out);
      if (m) return resolve(m[1]);
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL');
        return reject(new Error(`imageproxy ${args.join(' ')} did not start: ${err}`));
      }
      setTimeout(look, 25);
    };
    look();
  });
  const url = `http://${addr}`;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    proc,
    stderr: () => err,
    async metric(name, labels) {
      const text = await (await fetch(`${url}/metrics`)).text();
      return metricSum(text, name, labels);
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}

/**
 * metricSum adds up the samples of `name` in Prometheus text exposition: those with any labels,
 * or only those that carry every one of `labels` (other labels may be there too).
 */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = `,${(m[2] ?? '{}').slice(1, -1)},`;
    if (Object.entries(labels).every(([k, v]) => have.includes(`,${k}=${JSON.stringify(v)},`))) sum += Number(m[3]);
  }
  return sum;
}

/** Balancer is a running round-robin balancer. */
export interface Balancer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** answered[i] counts the responses instance i gave through the balancer. */
  answered: number[];
  /** close stops it and drops its connections. */
  close(): Promise<void>;
}

/**
 * startBalancer forwards each request to the next of targets in turn. When a target cannot be
 * reached or drops the connection before answering, the request goes to the target after it
 * (each tried at most once); when none answers, the client gets a 502.
 */
export async function startBalancer(targets: string[]): Promise<Balancer> {
  const answered = targets.map(() => 0);
  let next = 0;
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, first: number, tries: number): void => {
    if (tries >= targets.length) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('No instance answered.');
      return;
    }
    // Retries go round from this request's first pick, so no two tries hit the same instance.
    const i = (first + tries) % targets.length;
    const up = http.request(`${targets[i]}${req.url}`, { method: req.method, headers: req.headers, agent }, (upRes) => {
      answered[i]++;
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.once('error', () => {
      if (!res.headersSent) forward(req, res, first, tries + 1);
      else res.destroy();
    });
    up.end();
  };
  const server = http.createServer((req, res) => forward(req, res, next++ % targets.length, 0));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    async close() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
