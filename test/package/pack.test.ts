/**
 * The package as a user gets it: `npm pack`, the tarball installed into a fresh project, and the
 * command, a CommonJS script, an ES module script and TypeScript consumers run against it.
 *
 * No network: the tarball is unpacked into the project's node_modules, imageproxy's dependencies
 * are linked from this checkout's node_modules (what `npm install` would have put there), and
 * `npm rebuild imageproxy --offline` links its bins as an install does.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, ROOT } from '../helpers/paths.js';
import { startOrigin, type Origin } from '../helpers/origin.js';
import { transform } from '../../lib/transform/transform.js';
import { parseOptions } from '../../lib/request/options.js';
import { probe } from '../../lib/codecs/index.js';
import { DEFAULT_LIMITS } from '../../lib/config.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG_PATH = path.join(FIXTURES, 'ximage/yellow_rose-small.png');
const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string; dependencies: Record<string, string>; optionalDependencies?: Record<string, string>;
};
/** NPM_TIMEOUT_MS bounds each npm or node child; packing ~10 MB on a loaded machine takes seconds. */
const NPM_TIMEOUT_MS = 180_000;

interface Ran { code: number | null; stdout: string; stderr: string }

/** run runs a command without a shell and collects its output; the event loop stays free for the origin. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd, env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'], timeout: NPM_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let tmp: string;
let project: string;
let tarball: string;
let packed: { filename: string; files: { path: string }[] };
let origin: Origin;

before(async () => {
  origin = await startOrigin({ '/a.png': { headers: { 'Content-Type': 'image/png' }, body: readFileSync(PNG_PATH) } });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'imageproxy-pack-'));
  // The suite runs after `npm run build`, so dist/ is current; --ignore-scripts skips prepack's second build.
  const r = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], ROOT);
  assert.equal(r.code, 0, `npm pack exit = ${r.code}, want 0: ${r.stderr}`);
  packed = (JSON.parse(r.stdout) as (typeof packed)[])[0];
  tarball = path.join(tmp, packed.filename);

  project = path.join(tmp, 'consumer');
  const installed = path.join(project, 'node_modules', 'imageproxy');
  mkdirSync(installed, { recursive: true });
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  const untar = await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], tmp);
  assert.equal(untar.code, 0, `tar -xzf ${tarball} exit = ${untar.code}: ${untar.stderr}`);
  // Tarballs carry no execute bits worth trusting; the install's bin linking sets them.
  chmodSync(path.join(installed, 'dist/cli/imageproxy.js'), 0o644);
  const deps = [...Object.keys(PKG.dependencies), ...Object.keys(PKG.optionalDependencies ?? {}), '@types/node', '@types/express'];
  for (const dep of deps) {
    const from = path.join(ROOT, 'node_modules', dep);
    if (!existsSync(from)) continue; // An optional dependency left out of this checkout.
    const to = path.join(project, 'node_modules', dep);
    mkdirSync(path.dirname(to), { recursive: true });
    symlinkSync(from, to, 'dir');
  }
  const rebuild = await run('npm', ['rebuild', 'imageproxy', '--no-audit', '--no-fund'], project);
  assert.equal(rebuild.code, 0, `npm rebuild imageproxy exit = ${rebuild.code}, want 0: ${rebuild.stderr}`);
});

after(async () => {
  await origin?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the tarball holds both builds, their types, the command and LICENSE, and no install script', () => {
  const files = new Set(packed.files.map((f) => f.path));
  const want = [
    'package.json', 'LICENSE', 'README.md',
    'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/pool/worker.js',
    'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json',
    'dist/bin/imageproxy.js', 'dist/bin/imageproxy-sign.js', 'dist/cli/imageproxy.js',
  ];
  for (const f of want) assert.ok(files.has(f), `npm pack files lack ${f}`);
  const unwanted = [...files].filter((f) => f.startsWith('dist/test/') || f.startsWith('node_modules/') || f.startsWith('test/'));
  assert.deepEqual(unwanted, [], `npm pack files = ${unwanted.slice(0, 5).join(', ')}..., want no tests or node_modules`);
  assert.equal(packed.filename, `imageproxy-${PKG.version}.tgz`, `npm pack filename = ${packed.filename}`);

  const manifest = JSON.parse(readFileSync(path.join(project, 'node_modules/imageproxy/package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => manifest.scripts?.[s] !== undefined);
  assert.deepEqual(installScripts, [], `packed package.json install scripts = ${installScripts.join(', ')}, want none`);
  assert.ok(manifest.scripts?.prepack, 'packed package.json has no prepack script to build with');
  const licence = readFileSync(path.join(project, 'node_modules/imageproxy/LICENSE'), 'utf8');
  assert.match(licence, /Apache License\s+Version 2\.0/, 'LICENSE is not the Apache License 2.0');
});

test('npx imageproxy from the installed tarball prints its usage and its version, offline', async () => {
  const cases: { args: string[]; want: RegExp }[] = [
    { args: ['-help'], want: /^Usage: imageproxy \[flags\]\n[\s\S]*-addr string/ },
    { args: ['-version'], want: new RegExp(`^imageproxy ${PKG.version.replaceAll('.', '\\.')}\\n$`) },
  ];
  for (const { args, want } of cases) {
    const r = await run('npx', ['--offline', '--no-install', 'imageproxy', ...args], project);
    assert.equal(r.code, 0, `npx imageproxy ${args.join(' ')} exit = ${r.code}, want 0: ${r.stderr}`);
    assert.match(r.stdout, want, `npx imageproxy ${args.join(' ')} stdout = ${JSON.stringify(r.stdout.slice(0, 80))}`);
  }
});

/**
 * consumer is a script that loads the package (`load` is its import line), transforms the PNG with
 * transform(), serves a resize through createServer (its worker pool), and prints what it got.
 */
function consumer(load: string, entry: string): string {
  return `${load}
const [pngPath, originURL] = process.argv.slice(2);
async function main() {
  const png = fs.readFileSync(pngPath);
  const out = await ip.transform(png, ip.parseOptions('10x'), ip.DEFAULT_LIMITS);
  const s = ip.createServer({ allowPrivateNetworks: true, workers: 1, logger: { info() {}, warn() {}, error: console.error } });
  const addr = await s.listen('127.0.0.1:0');
  try {
    const r = await fetch('http://' + addr + '/12x/' + originURL + '/a.png');
    const body = new Uint8Array(await r.arrayBuffer());
    const size = (b) => { try { const p = ip.probe(b); return p.format + ' ' + p.width + 'x' + p.height; } catch (e) { return String(e); } };
    console.log(JSON.stringify({
      entry: ${entry},
      exports: ['createServer', 'imageproxy', 'transform', 'createTransformPool'].filter((n) => typeof ip[n] === 'function'),
      transformed: out.contentType + ' ' + size(out.bytes),
      served: r.status + ' ' + r.headers.get('content-type') + ' ' + size(body),
    }));
  } finally {
    await s.close();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
`;
}

/** sizeOf is what the consumers print for an image: its format and size, by the checkout's own code. */
async function sizeOf(options: string): Promise<string> {
  const p = probe((await transform(readFileSync(PNG_PATH), parseOptions(options), DEFAULT_LIMITS)).bytes);
  return `${p.format} ${p.width}x${p.height}`;
}

test('require("imageproxy") and import from "imageproxy" both transform an image and serve a resize', async () => {
  const transformed = `image/png ${await sizeOf('10x')}`;
  const served = `200 image/png ${await sizeOf('12x')}`;
  assert.match(transformed, / 10x\d+$/, `the checkout's transform(10x) = ${transformed}, want 10 pixels wide`);
  const cases: { name: string; file: string; source: string; wantEntry: string }[] = [
    {
      name: 'CommonJS', file: 'consumer.cjs',
      source: consumer("const fs = require('node:fs');\nconst ip = require('imageproxy');", "require.resolve('imageproxy')"),
      wantEntry: 'node_modules/imageproxy/dist/cjs/index.js',
    },
    {
      name: 'ES module', file: 'consumer.mjs',
      source: consumer("import fs from 'node:fs';\nimport * as ip from 'imageproxy';", "new URL(import.meta.resolve('imageproxy')).pathname"),
      wantEntry: 'node_modules/imageproxy/dist/lib/index.js',
    },
  ];
  for (const c of cases) {
    writeFileSync(path.join(project, c.file), c.source);
    const r = await run(process.execPath, [c.file, PNG_PATH, origin.url], project);
    assert.equal(r.code, 0, `${c.name} consumer exit = ${r.code}, want 0: ${r.stderr}`);
    // No "ExperimentalWarning: ... require() of ES modules" or anything else on the way.
    assert.equal(r.stderr, '', `${c.name} consumer stderr = ${JSON.stringify(r.stderr)}, want nothing`);
    const got = JSON.parse(r.stdout) as { entry: string; exports: string[]; transformed: string; served: string };
    const want = {
      entry: c.wantEntry,
      exports: ['createServer', 'imageproxy', 'transform', 'createTransformPool'],
      transformed,
      served,
    };
    got.entry = path.relative(project, got.entry).split(path.sep).join('/');
    assert.deepEqual(got, want, `${c.name} consumer = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('types: a CommonJS and an ES module TypeScript consumer check against the installed package', async () => {
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: true },
    files: ['check.cts', 'check.mts'],
  }));
  const body = `
const server: ip.ProxyServer = ip.createServer({ allowPrivateNetworks: true });
const done: Promise<ip.TransformResult> = transform(new Uint8Array(0), parseOptions('10x'), DEFAULT_LIMITS);
// @ts-expect-error: transform takes bytes, options and limits; this fails to compile only if the types are real.
void transform('not bytes');
void server;
void done;
`;
  writeFileSync(path.join(project, 'check.cts'), `import ip = require('imageproxy');
const { transform, parseOptions, DEFAULT_LIMITS } = ip;${body}`);
  writeFileSync(path.join(project, 'check.mts'), `import * as ip from 'imageproxy';
import { transform, parseOptions, DEFAULT_LIMITS, type ProxyServer, type TransformResult } from 'imageproxy';
const typed: [ProxyServer?, TransformResult?] = [];
void typed;${body}`);
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], project);
  assert.equal(r.code, 0, `tsc over the consumers exit = ${r.code}, want 0:\n${r.stdout}${r.stderr}`);
  const listed = r.stdout.split('\n').map((f) => path.relative(project, f).split(path.sep).join('/'));
  for (const want of ['node_modules/imageproxy/dist/cjs/index.d.ts', 'node_modules/imageproxy/dist/lib/index.d.ts']) {
    assert.ok(listed.includes(want), `tsc --listFiles lacks ${want}: the ${want.includes('cjs') ? 'require' : 'import'} condition's types were not used`);
  }
});
