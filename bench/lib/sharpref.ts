/**
 * The sharp (libvips) reference engine: starting bench/lib/sharp-server.ts on a free loopback
 * port, and timing any server's first transform answer after its process starts.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { get } from './client.js';
import { startByHealthCheck, STARTUP_TIMEOUT_MS, type ServerProcess } from './proc.js';
// The sharp server is told its port up front, like goref.
import { freePort } from '../../test/helpers/servers.js';

/** SHARP_SERVER_SCRIPT is the compiled sharp server beside this file. */
export const SHARP_SERVER_SCRIPT = fileURLToPath(new URL('./sharp-server.js', import.meta.url));

/** startSharp runs the sharp reference server and resolves once it answers /health-check. */
export async function startSharp(): Promise<ServerProcess> {
  const port = await freePort();
  return startByHealthCheck(process.execPath, [SHARP_SERVER_SCRIPT, `127.0.0.1:${port}`], `http://127.0.0.1:${port}`);
}

/** FIRST_ANSWER_POLL_MS is how often firstAnswerMs retries while the server is not listening yet. */
const FIRST_ANSWER_POLL_MS = 5;

/**
 * firstAnswerMs spawns `cmd args` (a server listening on the port in `url`), requests url until it
 * answers 200, and returns the milliseconds from spawn to that answer's last byte; the process is
 * killed afterwards. It rejects on a non-200 answer or after STARTUP_TIMEOUT_MS.
 */
export async function firstAnswerMs(cmd: string, args: string[], url: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: 'ignore' });
  try {
    while (performance.now() - t0 < STARTUP_TIMEOUT_MS) {
      if (child.exitCode !== null) throw new Error(`${cmd} exited (${child.exitCode}) before answering`);
      try {
        const r = await get(url, undefined, STARTUP_TIMEOUT_MS);
        if (r.status !== 200) throw new Error(`first answer was ${r.status}`);
        return performance.now() - t0;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw err;
      }
      await new Promise((r) => setTimeout(r, FIRST_ANSWER_POLL_MS));
    }
    throw new Error(`${cmd} gave no answer in ${STARTUP_TIMEOUT_MS} ms`);
  } finally {
    child.kill('SIGKILL');
  }
}

/** freeLoopbackPort is a free port on 127.0.0.1, for servers started by firstAnswerMs. */
export { freePort as freeLoopbackPort };
