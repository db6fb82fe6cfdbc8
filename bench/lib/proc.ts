/**
 * Child servers for the benchmark: starting the proxy CLI and learning its port, stopping it,
 * and reading its peak resident memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from './client.js';

/** STARTUP_TIMEOUT_MS bounds how long a server may take to print its ready line. */
export const STARTUP_TIMEOUT_MS = 30_000;
/** STOP_GRACE_MS is how long a server may take to exit after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 15_000;
/** RSS_SAMPLE_MS is the VmRSS sampling period, the fallback where VmHWM is missing. */
export const RSS_SAMPLE_MS = 100;

/** ProcMemory is a process's current and peak resident set size in bytes. */
export interface ProcMemory {
  rss: number;
  hwm: number;
}

/**
 * parseProcStatus reads VmRSS and VmHWM (peak RSS) from the text of /proc/<pid>/status;
 * a missing field reads as 0.
 */
export function parseProcStatus(text: string): ProcMemory {
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** readProcMemory returns the memory of pid, or undefined where /proc is unavailable. */
export function readProcMemory(pid: number): ProcMemory | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** ServerProcess is a started child server. */
export interface ServerProcess {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  pid: number;
  /** peakRss returns the largest resident set size seen so far, in bytes (NaN if unknown). */
  peakRss(): number;
  /** output returns the last lines the process printed (for error reports). */
  output(): string;
  /** stop sends SIGTERM, then SIGKILL after STOP_GRACE_MS, and resolves when it has exited. */
  stop(): Promise<void>;
}

/** LISTENING_RE matches the proxy's ready line and captures host:port. */
export const LISTENING_RE = /imageproxy listening on (\S+)/;

/**
 * listeningURL returns the base URL announced by a ready line such as
 * `imageproxy listening on 127.0.0.1:40123`, or undefined when text has none.
 */
export function listeningURL(text: string): string | undefined {
  const m = LISTENING_RE.exec(text);
  if (!m) return undefined;
  const hostPort = m[1].replace(/^https?:\/\//, '').replace(/\/$/, '');
  return `http://${hostPort}`;
}

function track(child: ChildProcess): { output: () => string; onLine: (cb: (all: string) => void) => void } {
  let buf = '';
  const listeners: Array<(all: string) => void> = [];
  const onData = (d: Buffer) => {
    buf = (buf + d.toString('utf8')).slice(-16_384);
    for (const l of listeners) l(buf);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return { output: () => buf, onLine: (cb) => listeners.push(cb) };
}

function wrap(child: ChildProcess, url: string, output: () => string): ServerProcess {
  const pid = child.pid!;
  let sampledPeak = 0;
  const sample = () => {
    const m = readProcMemory(pid);
    if (m) sampledPeak = Math.max(sampledPeak, m.rss, m.hwm);
  };
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  timer.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url,
    pid,
    peakRss() {
      sample();
      return sampledPeak || NaN;
    },
    output,
    async stop() {
      sample();
      clearInterval(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/**
 * startProxy runs `node <script> -addr 127.0.0.1:0 -allowPrivateNetworks ...extraArgs` and
 * resolves once it prints `imageproxy listening on <host:port>`; it rejects (and kills the child)
 * if the process exits first or stays silent for STARTUP_TIMEOUT_MS.
 */
export function startProxy(script: string, extraArgs: string[] = []): Promise<ServerProcess> {
  const args = [script, '-addr', '127.0.0.1:0', '-allowPrivateNetworks', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const t = track(child);
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}; output: ${t.output().trim().slice(-600) || '(none)'}`));
    };
    const timer = setTimeout(() => fail(`proxy printed no ready line in ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);
    child.once('error', (err) => fail(`cannot start proxy: ${err.message}`));
    child.once('exit', (code, sig) => fail(`proxy exited (${sig ?? code}) before it was ready`));
    t.onLine((all) => {
      const url = listeningURL(all);
      if (url && !done) {
        done = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(wrap(child, url, t.output));
      }
    });
  });
}

/**
 * startByHealthCheck runs `cmd args` (a server told its address in args) and resolves once
 * `url/health-check` answers 200; it rejects if the process exits or STARTUP_TIMEOUT_MS passes.
 */
export async function startByHealthCheck(cmd: string, args: string[], url: string): Promise<ServerProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const t = track(child);
  let exitedEarly: string | undefined;
  child.once('exit', (code, sig) => (exitedEarly = String(sig ?? code)));
  child.once('error', (err) => (exitedEarly = err.message));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline && exitedEarly === undefined) {
    try {
      const r = await get(`${url}/health-check`, undefined, 2000);
      if (r.status === 200) return wrap(child, url, t.output);
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${cmd} did not become ready (${exitedEarly ?? 'timeout'}); output: ${t.output().trim().slice(-600)}`);
}
