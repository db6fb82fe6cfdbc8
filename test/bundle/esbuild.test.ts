/**
 * Bundled with esbuild into ONE file and run with nothing beside it (no node_modules, no dist/),
 * the proxy still transforms images: the worker, the codec wasm and smartcrop travel inside the
 * bundle. This stands in for Electron (whose main process is Node.js running a bundle) and for
 * single-file and serverless deployments. The bundles are built as the README says.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { probe } from '../../lib/codecs/index.js';
import { DIST, FIXTURES, ROOT } from '../helpers/paths.js';
import { startOrigin, type Origin } from '../helpers/origin.js';

/** RGB_JPEG is a baseline JPEG, see fixtures/SOURCES.md. */
const RGB_JPEG = readFileSync(path.join(FIXTURES, 'jpeg', 'rgb.jpg'));
const JPEG_SIZE = probe(RGB_JPEG);
/** ROSE_WEBP is a lossy WebP with alpha from golang.org/x/image testdata (BSD-3-Clause), see fixtures/SOURCES.md. */
const ROSE_WEBP = readFileSync(path.join(FIXTURES, 'ximage', 'yellow_rose.lossy-with-alpha.webp'));

/** REQUIRE_BANNER is the README's banner for an ESM bundle: CommonJS dependencies inside it call require. */
const REQUIRE_BANNER = "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);";

/** START_TIMEOUT_MS bounds how long a bundle may take to say it listens (a loaded CI machine). */
const START_TIMEOUT_MS = 30_000;

/** Bundle is one way of bundling the proxy, as a consumer would. */
interface Bundle {
  name: string;
  /** The entry's source, written to the consumer's folder (undefined: `entry` is a file already). */
  source?: string;
  /** The entry file, relative to the consumer's folder or absolute. */
  entry: string;
  format: 'cjs' | 'esm';
  /** Arguments for the bundle when run. */
  args: string[];
  /** Matches the line that says where it listens; group 1 is host:port. */
  listening: RegExp;
}

const EXAMPLE = path.join(ROOT, 'docs', 'examples', 'electron', 'proxy.mjs');

const BUNDLES: Bundle[] = [
  {
    name: 'the Electron example\'s main-process proxy, bundled to CommonJS',
    source: `const { startImageProxy } = require(${JSON.stringify(EXAMPLE)});
startImageProxy({ allowHosts: [], allowPrivateNetworks: true }).then(({ base }) => console.log('proxy at ' + base));`,
    entry: 'main.cjs',
    format: 'cjs',
    args: [],
    listening: /^proxy at http:\/\/(\S+)$/m,
  },
  {
    name: 'a README consumer (createServer from the package entry), bundled to ESM',
    source: `import { createServer } from 'imageproxy';
const proxy = createServer({ allowPrivateNetworks: true });
console.log('listening on ' + await proxy.listen('127.0.0.1:0'));`,
    entry: 'app.mjs',
    format: 'esm',
    args: [],
    listening: /^listening on (\S+)$/m,
  },
  {
    name: 'the CLI, bundled to ESM',
    entry: path.join(DIST, 'bin', 'imageproxy.js'),
    format: 'esm',
    args: ['-addr', '127.0.0.1:0', '-allowPrivateNetworks'],
    listening: /^imageproxy listening on (\S+)$/m,
  },
];

let origin: Origin;
let work: string;
before(async () => {
  origin = await startOrigin({
    '/photo.jpg': { headers: { 'Content-Type': 'image/jpeg' }, body: RGB_JPEG },
    '/rose.webp': { headers: { 'Content-Type': 'image/webp' }, body: ROSE_WEBP },
  });
  work = mkdtempSync(path.join(os.tmpdir(), 'imageproxy-bundle-'));
});
after(async () => {
  await origin.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * bundle builds b into one file in a folder of its own and returns that file. The consumer's
 * folder has the package under node_modules/imageproxy (a link to this repository, as npm
 * install would put it); the output folder has nothing but the bundle.
 */
async function bundle(b: Bundle, i: number): Promise<string> {
  const src = path.join(work, `src${i}`);
  mkdirSync(path.join(src, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, path.join(src, 'node_modules', 'imageproxy'), 'dir');
  if (b.source !== undefined) writeFileSync(path.join(src, b.entry), b.source);
  const out = path.join(work, `out${i}`);
  const outfile = path.join(out, b.format === 'esm' ? 'bundle.mjs' : 'bundle.cjs');
  await build({
    entryPoints: [path.resolve(src, b.entry)],
    absWorkingDir: src,
    // The example and the CLI live outside the consumer's folder; they find the package where it would be installed.
    nodePaths: [path.join(src, 'node_modules')],
    bundle: true,
    platform: 'node',
    format: b.format,
    outfile,
    banner: b.format === 'esm' ? { js: REQUIRE_BANNER } : undefined,
    logLevel: 'error',
  });
  const files = readdirSync(out);
  assert.deepEqual(files, [path.basename(outfile)], `bundle(${b.name}) wrote ${JSON.stringify(files)}, want one file`);
  return outfile;
}

/** Running is a started bundle. */
interface Running {
  child: ChildProcess;
  addr: string;
}

/** start runs the bundle from its own folder, with no NODE_PATH, and waits for its listening line. */
function start(b: Bundle, file: string): Promise<Running> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_PATH' && !k.startsWith('IMAGEPROXY_')));
  const child = spawn(process.execPath, [file, ...b.args], { cwd: path.dirname(file), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${b.name}: no listening line in ${START_TIMEOUT_MS} ms; stdout=${out} stderr=${err}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = b.listening.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, addr: m[1] });
      }
    });
    child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${b.name}: exited with ${code} before listening; stdout=${out} stderr=${err}`));
    });
  });
}

/** stop ends the bundle's process and waits for it. */
async function stop(r: Running): Promise<void> {
  if (r.child.exitCode !== null) return;
  const exited = new Promise((resolve) => r.child.once('exit', resolve));
  r.child.kill('SIGKILL');
  await exited;
}

/** REQUESTS are the transforms each bundle must answer: the JPEG path, smartcrop and the WebP wasm decoder. */
const REQUESTS = [
  { name: 'JPEG resized', path: '/100x/{origin}/photo.jpg', type: 'image/jpeg', width: 100, height: Math.round((100 * JPEG_SIZE.height) / JPEG_SIZE.width) },
  { name: 'JPEG smart-cropped', path: '/60x60,sc/{origin}/photo.jpg', type: 'image/jpeg', width: 60, height: 60 },
  { name: 'WebP decoded by the wasm codec', path: '/40x40,png/{origin}/rose.webp', type: 'image/png', width: 40, height: 40 },
];

for (const [i, b] of BUNDLES.entries()) {
  test(`${b.name} transforms images with nothing beside the bundle`, async () => {
    const file = await bundle(b, i);
    const running = await start(b, file);
    try {
      for (const r of REQUESTS) {
        const url = `http://${running.addr}${r.path.replace('{origin}', origin.url)}`;
        const res = await fetch(url);
        const body = Buffer.from(await res.arrayBuffer());
        const desc = `${b.name}: GET ${r.name}`;
        assert.equal(res.status, 200, `${desc} status = ${res.status} (${body.toString().slice(0, 200)}), want 200`);
        assert.equal(res.headers.get('content-type'), r.type, `${desc} content-type = ${res.headers.get('content-type')}, want ${r.type}`);
        const got = probe(body);
        assert.equal(`${got.width}x${got.height}`, `${r.width}x${r.height}`, `${desc} size = ${got.width}x${got.height}, want ${r.width}x${r.height}`);
      }
    } finally {
      await stop(running);
    }
  });
}
