/**
 * Lease children: test/helpers/lease-child.ts started as processes of their own, each one
 * instance of a fleet, driven over stdin and watched over stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { DIST } from './paths.js';
import type { LeaseChildCommand, LeaseChildEvent } from './lease-child.js';

const all = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of all) c.kill('SIGKILL');
});

/** LeaseChild is a running lease-child process. */
export interface LeaseChild {
  proc: ChildProcess;
  /** events seen so far. */
  events: LeaseChildEvent[];
  send(cmd: LeaseChildCommand): void;
  /** next resolves with the first event (past or future) that matches. */
  next(match: (e: LeaseChildEvent) => boolean, ms?: number): Promise<LeaseChildEvent>;
  /** end closes stdin and waits for the exit. */
  end(): Promise<void>;
}

/**
 * startLeaseChild starts a lease child on the cache url with leaseMs and resolves once it is
 * connected; env adds variables (e.g. NODE_EXTRA_CA_CERTS). It is killed if the tests exit early.
 */
export function startLeaseChild(url: string, leaseMs: number, env: Record<string, string> = {}): Promise<LeaseChild> {
  const proc = spawn(process.execPath, [path.join(DIST, 'test', 'helpers', 'lease-child.js'), url, String(leaseMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  all.add(proc);
  // Writing to a child that was killed fails with EPIPE; the exit is what the tests look at.
  proc.stdin!.on('error', () => {});
  const events: LeaseChildEvent[] = [];
  const waiters: Array<() => void> = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  const exited = new Promise<void>((resolve) => proc.once('exit', () => {
    all.delete(proc);
    resolve();
    wake();
  }));
  readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as LeaseChildEvent);
    wake();
  });
  const child: LeaseChild = {
    proc,
    events,
    send: (cmd) => proc.stdin!.write(`${JSON.stringify(cmd)}\n`),
    next: (match, ms = 30_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child ${proc.pid}: no matching event within ${ms} ms; saw ${JSON.stringify(events)}`)), ms);
      const look = (): void => {
        const e = events.find(match);
        if (e) {
          clearTimeout(timer);
          resolve(e);
        } else if (proc.exitCode !== null || proc.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`child ${proc.pid} exited (${proc.exitCode ?? proc.signalCode}); saw ${JSON.stringify(events)}`));
        } else {
          waiters.push(look);
        }
      };
      look();
    }),
    async end() {
      proc.stdin!.end();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return child.next((e) => e.event === 'ready').then(() => child);
}

