/**
 * What the runtime tests share: the JPEG they resize, a loopback origin serving it, decoding an
 * answer to check its size, and starting a server process under another runtime.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decode } from '../../lib/codecs/index.js';
import { DEFAULT_LIMITS } from '../../lib/config.js';
import { FIXTURES, ROOT } from '../helpers/paths.js';
import { startOrigin, type Origin } from '../helpers/origin.js';

// fixtures/jpeg/photo-420.jpg — 600x400, from disintegration/imaging testdata, MIT (fixtures/SOURCES.md)
export const JPEG = readFileSync(path.join(FIXTURES, 'jpeg/photo-420.jpg'));
/** JPEG_WIDTH and JPEG_HEIGHT are the fixture's size. */
export const JPEG_WIDTH = 600;
export const JPEG_HEIGHT = 400;

/** BIN is node_modules/.bin, where the test-only runtimes (bun, deno) are installed. */
export const BIN = path.join(ROOT, 'node_modules', '.bin');

/** startJpegOrigin serves the fixture at /photo.jpg on 127.0.0.1. */
export function startJpegOrigin(): Promise<Origin> {
  return startOrigin({ '/photo.jpg': { headers: { 'Content-Type': 'image/jpeg', 'Cache-Control': 'max-age=600' }, body: JPEG } });
}

/** decodedSize decodes an answer body and returns its format and size. */
export async function decodedSize(body: Uint8Array): Promise<{ format: string; width: number; height: number }> {
  const img = await decode(body, DEFAULT_LIMITS);
  const { width, height } = img.frames[0].bitmap;
  return { format: img.format, width, height };
}

/** Served is a server process started under some runtime. */
export interface Served {
  /** Base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  /** Everything the process wrote so far. */
  output(): string;
  /** stop kills the process and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * serveWith starts `command args` and waits (up to timeoutMs) for a line `... listening on
 * HOST:PORT` on stdout; the process is killed when it exits early or does not say so in time.
 */
export async function serveWith(command: string, args: string[], timeoutMs = 20_000): Promise<Served> {
  const child: ChildProcess = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /listening on (\S+:\d+)/.exec(out);
    if (m) return { url: `http://${m[1]}`, output: () => out, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${path.basename(command)} ${args.join(' ')} did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** cleanEnv is this process's environment without IMAGEPROXY_ settings, so a developer's shell cannot change a test. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IMAGEPROXY_')));
}

/** CLI is the built command-line server. */
export const CLI = path.join(ROOT, 'dist', 'cli', 'imageproxy.js');
/** FETCH_SERVE is the script serving createFetchHandler with Bun.serve or Deno.serve. */
export const FETCH_SERVE = path.join(ROOT, 'test', 'runtimes', 'fetch-serve.mjs');

/**
 * resizeThrough asks the proxy at `base` for the fixture at 100 px wide and checks the answer:
 * 200, image/jpeg, and a JPEG that decodes to 100 px by the fixture's aspect.
 */
export async function resizeThrough(name: string, base: string, origin: Origin): Promise<void> {
  const url = `${base}/100x/${origin.url}/photo.jpg`;
  const r = await fetch(url);
  const body = new Uint8Array(await r.arrayBuffer());
  const got = { status: r.status, type: r.headers.get('content-type') };
  assert.deepEqual(got, { status: 200, type: 'image/jpeg' }, `${name}: GET ${url} = ${JSON.stringify(got)} ${r.status === 200 ? '' : new TextDecoder().decode(body)}`);
  const size = await decodedSize(body);
  const want = { format: 'jpeg', width: 100, height: Math.round((100 * JPEG_HEIGHT) / JPEG_WIDTH) };
  assert.deepEqual(size, want, `${name}: decoded answer = ${JSON.stringify(size)}, want ${JSON.stringify(want)}`);
}
