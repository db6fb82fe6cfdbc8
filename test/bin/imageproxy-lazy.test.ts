/**
 * Cold start of the imageproxy command (bin/imageproxy.ts): with the default configuration it
 * listens without loading the modules that configuration does not use (the Redis client, the
 * cloud SDKs, the codec wasm bytes) and without loading any decoder library on the main thread
 * (fast-png, pako, UTIF, jpeg-js, the jsquash codecs: only the workers decode), seen through a module
 * resolve hook in the child process (the workers' code is embedded, so the hook sees the main thread's
 * modules only), nor prom-client, which loads after listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from '../helpers/paths.js';

const CLI = path.join(DIST, 'bin', 'imageproxy.js');
/** START_TIMEOUT_MS bounds the wait for the listening line; past it the test fails instead of hanging. */
const START_TIMEOUT_MS = 30_000;

/** HOOKS records every module URL resolved (in the loader's thread) on standard error. */
const HOOKS = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  process.stderr.write('LOADED ' + r.url + '\\n');
  return r;
}`;

/** loadedUntilListening starts the CLI with args and returns the module URLs resolved until it printed its listening line. */
async function loadedUntilListening(args: string[]): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imageproxy-lazy-'));
  try {
    writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, CLI, '-addr', '127.0.0.1:0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in ${START_TIMEOUT_MS} ms; stderr: ${err.slice(-500)}`)), START_TIMEOUT_MS);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the CLI exited with ${code} before listening; stderr: ${err.slice(-500)}`));
        });
      });
    } finally {
      child.kill('SIGKILL');
    }
    return err.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the CLI with the default configuration listens without loading what that configuration does not use', async () => {
  const loaded = await loadedUntilListening([]);
  const cases: Array<{ name: string; pattern: RegExp; want: boolean }> = [
    // Positive controls: the hook sees the server's own modules, loaded by dynamic import.
    { name: 'the server', pattern: /dist\/lib\/server\.js$/, want: true },
    { name: 'Express', pattern: /node_modules\/express\//, want: false },
    { name: 'the transform pool', pattern: /dist\/lib\/pool\/pool\.js$/, want: true },
    { name: 'ioredis', pattern: /node_modules\/ioredis\//, want: false },
    { name: 'the AWS SDK', pattern: /node_modules\/@aws-sdk\//, want: false },
    { name: 'the Google Cloud SDK', pattern: /node_modules\/@google-cloud\//, want: false },
    { name: 'the Azure SDK', pattern: /node_modules\/@azure\//, want: false },
    { name: 'the embedded codec wasm bytes', pattern: /codecs\/wasm\/[a-z-]+-bytes\.js$/, want: false },
    // The main thread reads image headers (probe) but decodes nothing: no decoder library.
    { name: 'the header probe', pattern: /dist\/lib\/codecs\/probe\.js$/, want: true },
    { name: 'fast-png', pattern: /node_modules\/fast-png\//, want: false },
    { name: 'pako', pattern: /node_modules\/pako\//, want: false },
    { name: 'utif2', pattern: /node_modules\/utif2\//, want: false },
    { name: 'jpeg-js', pattern: /node_modules\/jpeg-js\//, want: false },
    // meta.js holds the jsquash encoders' default options only (config.ts reads them).
    { name: 'a jsquash codec', pattern: /node_modules\/@jsquash\/[a-z]+\/(?!meta\.js$)/, want: false },
    // Metrics are deferred (lib/metrics-deferred.ts): prom-client loads after listening.
    { name: 'prom-client', pattern: /node_modules\/prom-client\//, want: false },
  ];
  for (const c of cases) {
    const got = loaded.some((u) => c.pattern.test(u));
    assert.equal(got, c.want, `CLI start loaded ${c.name} = ${got}, want ${c.want} (${loaded.filter((u) => c.pattern.test(u)).slice(0, 3).join(', ')})`);
  }
});

/** staticImports walks the static import graph of the ES module file and returns every specifier it reaches that is not a relative path. */
function staticImports(file: string, seen = new Set<string>(), out = new Set<string>()): Set<string> {
  if (seen.has(file)) return out;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) staticImports(path.resolve(path.dirname(file), spec), seen, out);
    else out.add(spec);
  }
  return out;
}

test('the command starts its first worker before it loads pino, node:http or any codec: none is a static import', () => {
  const got = staticImports(CLI);
  for (const bad of ['pino', 'node:http', 'node:https', '@jsquash/webp/meta.js', '@jsquash/avif/meta.js', 'prom-client', 'express']) {
    assert.ok(!got.has(bad), `staticImports(${path.relative(DIST, CLI)}) includes ${bad}, want it loaded after the pool starts`);
  }
  assert.ok(got.has('node:worker_threads'), `staticImports(${path.relative(DIST, CLI)}) = ${[...got].join(' ')}, want node:worker_threads (the pool) among them`);
});
