/**
 * The Go reference engine (../shared/bench/goref): building it offline from Debian's Go packages
 * and running it on a free loopback port.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './images.js';
import { startByHealthCheck, type ServerProcess } from './proc.js';
// goref cannot report a port-0 choice, so it is given a free port up front.
import { freePort } from '../../test/helpers/servers.js';

/**
 * GOREF_BUILD_SCRIPT is the reference's offline build script in the `shared` folder beside the
 * repository, or beside its parent (a git worktree one level deeper).
 */
export const GOREF_BUILD_SCRIPT = [path.join(REPO_ROOT, '..'), path.join(REPO_ROOT, '..', '..')]
  .map((d) => path.join(d, 'shared', 'bench', 'goref', 'build.sh'))
  .find((f) => existsSync(f)) ?? path.join(REPO_ROOT, '..', 'shared', 'bench', 'goref', 'build.sh');
/** GOREF_BINARY is where the benchmark builds the reference (private to this user). */
export const GOREF_BINARY = path.join(os.tmpdir(), `imageproxy-bench-goref-${process.getuid?.() ?? 0}`);
/** GOREF_BUILD_TIMEOUT_MS bounds the build, including an apt-get install of Go. */
export const GOREF_BUILD_TIMEOUT_MS = 600_000;

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** GorefBuild is either the built binary or the reason there is none. */
export type GorefBuild = { binary: string } | { skipped: string };

/**
 * buildGoref builds the Go reference. When `go` or the imaging sources are missing it lets the
 * build script install them with apt-get, but only as root with apt-get present; otherwise, or when
 * the build fails, it returns the reason to skip Go.
 */
export function buildGoref(): GorefBuild {
  if (!existsSync(GOREF_BUILD_SCRIPT)) return { skipped: `no Go reference at ${GOREF_BUILD_SCRIPT}` };
  const haveGo = hasCommand('go') && existsSync('/usr/share/gocode/src/github.com/disintegration/imaging');
  if (!haveGo) {
    const root = process.getuid?.() === 0;
    if (!root || !hasCommand('apt-get')) {
      return { skipped: 'go is not installed and cannot be (installing golang-go needs root and apt-get)' };
    }
    process.stderr.write('bench: installing golang-go with apt-get to build the Go reference...\n');
  }
  try {
    execFileSync('sh', [GOREF_BUILD_SCRIPT, GOREF_BINARY], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: GOREF_BUILD_TIMEOUT_MS,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return { skipped: `building the Go reference failed: ${(e.stderr?.toString() || e.message).trim().slice(-300)}` };
  }
  return existsSync(GOREF_BINARY) ? { binary: GOREF_BINARY } : { skipped: 'the Go build produced no binary' };
}

/** startGoref runs the reference binary on a free 127.0.0.1 port, retrying once if the port was taken. */
export async function startGoref(binary: string): Promise<ServerProcess> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startByHealthCheck(binary, ['-addr', `127.0.0.1:${port}`], `http://127.0.0.1:${port}`);
    } catch (err) {
      lastErr = err;
    }
  }
  throw lastErr;
}
