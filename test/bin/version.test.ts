import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, ROOT } from '../helpers/paths.js';
import { parseFlags } from '../../bin/flags.js';
import { packageVersion, start } from '../../bin/imageproxy.js';

const CLI = path.join(DIST, 'bin', 'imageproxy.js');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test('parseFlags reads -version as a boolean, also from IMAGEPROXY_VERSION', () => {
  const cases: { argv: string[]; env: Record<string, string>; want: boolean }[] = [
    { argv: [], env: {}, want: false },
    { argv: ['-version'], env: {}, want: true },
    { argv: ['--version'], env: {}, want: true },
    { argv: ['-version=false'], env: {}, want: false },
    { argv: [], env: { IMAGEPROXY_VERSION: 'true' }, want: true },
    { argv: ['-version=false'], env: { IMAGEPROXY_VERSION: 'true' }, want: false },
  ];
  for (const { argv, env, want } of cases) {
    const got = parseFlags(argv, env).version;
    assert.equal(got, want, `parseFlags(${JSON.stringify(argv)}, ${JSON.stringify(env)}).version = ${got}, want ${want}`);
  }
});

test('packageVersion is the version in the package.json', () => {
  assert.equal(packageVersion(), VERSION, `packageVersion() = ${packageVersion()}, want ${VERSION}`);
});

test('start with -version prints the version and does not listen', async () => {
  const out: string[] = [];
  const got = await start(['-version', '-addr', '127.0.0.1:0'], {}, { stdout: (l) => out.push(l), stderr: (l) => out.push(l), logger: console });
  assert.equal(got, 0, `start(-version) = ${typeof got === 'number' ? got : 'a running server'}, want exit code 0`);
  assert.deepEqual(out, [`imageproxy ${VERSION}`], `start(-version) printed ${JSON.stringify(out)}, want the version line`);
});

test('imageproxy -version prints the version and exits 0', () => {
  const cases: { args: string[]; want: string }[] = [
    { args: ['-version'], want: `imageproxy ${VERSION}\n` },
    { args: ['--version'], want: `imageproxy ${VERSION}\n` },
  ];
  for (const { args, want } of cases) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `imageproxy ${args.join(' ')} exit = ${r.status}, want 0 (stderr ${r.stderr})`);
    assert.equal(r.stdout, want, `imageproxy ${args.join(' ')} stdout = ${JSON.stringify(r.stdout)}, want ${JSON.stringify(want)}`);
  }
});
