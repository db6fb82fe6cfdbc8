// The Dockerfile and deploy/compose.yaml checked against the code: a non-root user, a health
// check that the server answers (its very command run against a real server), every variable
// and flag a real one with a valid value, and ports that agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { envName, FLAGS, parseFlags } from '../../bin/flags.js';
import { start, type Running } from '../../bin/imageproxy.js';
import { CACHE_ENV_VARS, parseCacheSpecs } from '../../lib/cache/index.js';
import { parseAddr } from '../../lib/server.js';
import { ROOT } from '../helpers/paths.js';

/** Instruction is one Dockerfile instruction, continuation lines joined and comments dropped. */
interface Instruction {
  /** Upper-case keyword, e.g. RUN. */
  op: string;
  /** Everything after the keyword. */
  args: string;
}

/** parseDockerfile splits a Dockerfile into its instructions. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    pending += pending ? ` ${line.replace(/\\$/, '').trim()}` : line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(pending);
    assert.ok(m, `Dockerfile line ${JSON.stringify(pending)} is no instruction`);
    out.push({ op: m[1].toUpperCase(), args: m[2] });
    pending = '';
  }
  return out;
}

/** envPairs reads `ENV a=b c=d` (the key=value form, values optionally double-quoted). */
function envPairs(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) env[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) as string : m[2];
  return env;
}

const dockerfile = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
/** The runtime stage: the instructions after the last FROM. */
const lastFrom = dockerfile.map((i) => i.op).lastIndexOf('FROM');
const runtime = dockerfile.slice(lastFrom);
const one = (op: string): Instruction => {
  const found = runtime.filter((i) => i.op === op);
  assert.equal(found.length, 1, `runtime stage ${op} instructions = ${found.length}, want 1`);
  return found[0];
};
const imageEnv = Object.assign({}, ...runtime.filter((i) => i.op === 'ENV').map((i) => envPairs(i.args))) as Record<string, string>;
const entrypoint = JSON.parse(one('ENTRYPOINT').args) as string[];
/** healthCmd is the HEALTHCHECK's exec-form command. */
const healthCmd = JSON.parse(/CMD\s+(\[[\s\S]*\])$/.exec(one('HEALTHCHECK').args)?.[1] ?? '[]') as string[];

const compose = parse(readFileSync(path.join(ROOT, 'deploy', 'compose.yaml'), 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; ports?: string[]; command?: string[]; image?: string; build?: { context: string; dockerfile: string } }>;
};
const proxy = compose.services.imageproxy;

/** portOf is the port of a listen address (not a unix socket). */
function portOf(addr: string): number {
  const t = parseAddr(addr);
  assert.ok('port' in t, `${addr} is not a TCP address`);
  return t.port;
}

test('Dockerfile: multi-stage, Node 20+ slim base, npm ci, dev dependencies pruned', () => {
  const froms = dockerfile.filter((i) => i.op === 'FROM');
  assert.ok(froms.length >= 2, `FROM instructions = ${froms.length}, want a build stage and a runtime stage`);
  const arg = dockerfile.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
  const base = froms.map((f) => f.args.split(/\s+/)[0].replace('${NODE_IMAGE}', arg?.args.slice('NODE_IMAGE='.length) ?? ''));
  for (const b of base) {
    const m = /^node:(\d+)-[\w-]*(slim|alpine)/.exec(b);
    assert.ok(m && Number(m[1]) >= 20, `base image ${b}: want a slim or alpine node:20+ image`);
  }
  const runs = dockerfile.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  for (const want of [/npm ci\b/, /npm run build/, /npm prune --omit=dev/]) assert.match(runs, want, `the build stage lacks ${want}`);
  const copies = runtime.filter((i) => i.op === 'COPY').map((i) => i.args);
  assert.ok(copies.every((c) => c.startsWith('--from=')), `the runtime stage copies from the context: ${JSON.stringify(copies)}`);
});

test('Dockerfile: the runtime stage runs as a numeric non-root user', () => {
  const user = one('USER').args.trim();
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  assert.ok(m, `USER ${user}: want a numeric uid[:gid] (runAsNonRoot can only check numbers)`);
  assert.notEqual(Number(m[1]), 0, 'USER is root');
  if (m[2] !== undefined) assert.notEqual(Number(m[2]), 0, 'group is root');
  const after = runtime.slice(runtime.findIndex((i) => i.op === 'USER'));
  assert.ok(after.some((i) => i.op === 'ENTRYPOINT'), 'ENTRYPOINT comes before USER, so it would not run as that user');
});

test('Dockerfile: the entry point is the package bin, and every variable is a real flag with a valid value', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.deepEqual(entrypoint, ['node', pkg.bin.imageproxy], `ENTRYPOINT = ${JSON.stringify(entrypoint)}`);
  const flagVars = new Set(FLAGS.map((f) => envName(f.name)));
  for (const name of Object.keys(imageEnv)) {
    if (name === 'NODE_ENV') continue;
    assert.ok(flagVars.has(name) || CACHE_ENV_VARS.includes(name), `ENV ${name} is not a flag's variable`);
  }
  const f = parseFlags([], imageEnv);
  assert.equal(f.addr, '0.0.0.0:8080', `the image listens on ${f.addr}, want 0.0.0.0:8080`);
  const exposed = one('EXPOSE').args.split(/\s+/).map((p) => Number(p.split('/')[0]));
  assert.deepEqual(exposed, [portOf(f.addr)], `EXPOSE ${exposed.join(' ')} differs from the port of ${f.addr}`);
});

test('compose: every variable and flag is real, ports match what the proxy listens on, the cache names the Redis service', () => {
  assert.equal(proxy.build?.dockerfile, 'Dockerfile');
  assert.equal(path.resolve(ROOT, 'deploy', proxy.build?.context ?? ''), ROOT, 'the build context is not the repository root');
  const env = { ...imageEnv, ...proxy.environment };
  const flagVars = new Set(FLAGS.map((f) => envName(f.name)));
  for (const name of Object.keys(proxy.environment ?? {})) {
    assert.ok(flagVars.has(name) || CACHE_ENV_VARS.includes(name), `compose variable ${name} is not a flag's variable`);
  }
  const f = parseFlags(proxy.command ?? [], env);
  const published = (proxy.ports ?? []).map((p) => Number(p.split(':').at(-1)));
  const listening = [portOf(f.addr), ...(f.metricsAddr ? [portOf(f.metricsAddr)] : [])].sort();
  assert.deepEqual([...published].sort(), listening, `published container ports ${published.join(',')}, listening on ${listening.join(',')}`);
  const specs = parseCacheSpecs(f.cacheSpecs);
  const redis = specs.filter((s) => s.kind === 'redis');
  assert.equal(redis.length, 1, `redis tiers = ${JSON.stringify(specs)}, want 1`);
  const url = new URL(f.cacheSpecs.find((s) => s.startsWith('redis://'))!);
  assert.ok(url.hostname in compose.services, `the cache names host ${url.hostname}, which is no compose service`);
  const redisCmd = compose.services[url.hostname].command ?? [];
  const redisPort = redisCmd.includes('--port') ? Number(redisCmd[redisCmd.indexOf('--port') + 1]) : 6379;
  assert.equal(Number(url.port || 6379), redisPort, `the cache URL port differs from the Redis service's ${redisPort}`);
});

/** runNode runs `node args` with env and resolves with its exit code. */
function runNode(args: string[], env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

test('HEALTHCHECK: its command passes against the image settings served, and fails with nothing listening', async () => {
  assert.equal(healthCmd[0], 'node', `HEALTHCHECK runs ${healthCmd[0]}, which the image may lack`);
  assert.match(healthCmd.join(' '), /\/health-check/, 'HEALTHCHECK asks another path than /health-check');
  const quiet = { info() {}, warn() {}, error() {} };
  // The image's settings, on a free loopback port: what runs inside the container.
  const env = { ...imageEnv, ...proxy.environment, IMAGEPROXY_ADDR: '127.0.0.1:0', IMAGEPROXY_CACHE: 'memory', IMAGEPROXY_METRICSADDR: '' };
  const r = await start([], env, { stdout: () => {}, stderr: () => {}, logger: quiet });
  assert.notEqual(typeof r, 'number', `start with the image settings exited ${String(r)}`);
  const running = r as Running;
  const port = portOf(running.addr);
  try {
    const health = await fetch(`http://127.0.0.1:${port}/health-check`);
    assert.equal(health.status, 200, `GET /health-check = ${health.status}`);
    const code = await runNode(healthCmd.slice(1), { IMAGEPROXY_ADDR: `0.0.0.0:${port}` });
    assert.equal(code, 0, `the HEALTHCHECK command against a live server exited ${code}, want 0`);
  } finally {
    await running.shutdown();
  }
  const down = await runNode(healthCmd.slice(1), { IMAGEPROXY_ADDR: `0.0.0.0:${port}` });
  assert.equal(down, 1, `the HEALTHCHECK command with nothing listening exited ${down}, want 1`);
});

test('.dockerignore keeps installed and built trees and the git history out of the context', () => {
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const want of ['.git', 'node_modules', 'dist']) assert.ok(ignored.includes(want), `.dockerignore lacks ${want}`);
  for (const needed of ['package.json', 'package-lock.json', 'lib', 'bin', 'tsconfig.json', '.ci']) {
    assert.ok(!ignored.includes(needed), `.dockerignore drops ${needed}, which the build needs`);
  }
});
