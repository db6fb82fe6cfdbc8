/**
 * The imageproxy command as tests run it: a child process of the built CLI, its output collected,
 * and a wait for its `imageproxy listening on ADDR` line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DIST } from './paths.js';

/** CLI is the built command's script: the package's `imageproxy` bin, bundled (.ci/build-cli.mjs). */
export const CLI = path.join(DIST, 'cli', 'imageproxy.js');

/** Proc is a running CLI with its output so far and its exit code to come. */
export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * runCli starts the CLI with args and extra environment variables, without any IMAGEPROXY_
 * variable of the test's own environment (so a developer's settings never leak into a test).
 */
export function runCli(args: string[], env: Record<string, string> = {}): Proc {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IMAGEPROXY_')));
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** LISTEN_TIMEOUT_MS bounds the wait for the listening line: a loaded CI machine starts slowly. */
const LISTEN_TIMEOUT_MS = 15_000;

/** listening waits for the `imageproxy listening on ADDR` line and returns ADDR; it kills a CLI that never gets there. */
export async function listening(p: Proc): Promise<string> {
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  for (;;) {
    const m = /^imageproxy listening on (\S+)$/m.exec(p.stdout());
    if (m) return m[1];
    if (p.child.exitCode !== null) throw new Error(`CLI exited ${p.child.exitCode}: ${p.stderr()}`);
    if (Date.now() > deadline) {
      p.child.kill('SIGKILL');
      throw new Error(`no listening line; stdout=${p.stdout()} stderr=${p.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
