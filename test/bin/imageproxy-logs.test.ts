// The command's log output as an operator sees it: -logFormat json keeps standard output all
// JSON lines (the listening line and the access lines included), -logFormat text writes
// readable lines, and -metricsAddr starts the metrics listener; bad values exit 2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { startOrigin, waitFor, type Origin } from '../helpers/origin.js';
import { parseFlags, UsageError } from '../../bin/flags.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

let origin: Origin;
before(async () => {
  origin = await startOrigin({ '/a.png': { headers: { 'Content-Type': 'image/png' }, body: PNG } });
});
after(() => origin.close());

const run = runCli;

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const BASE = ['-addr', '127.0.0.1:0', '-allowPrivateNetworks', '-verbose', '-metricsAddr', '127.0.0.1:0'];

test('-logFormat json: every line on standard output is a JSON record, access lines and the listening line included', async () => {
  const p = run([...BASE, '-logFormat', 'json']);
  try {
    const records = (): Array<Record<string, unknown>> => lines(p.stdout()).map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`stdout line is not JSON: ${JSON.stringify(l)}`);
      }
    });
    await waitFor(() => p.child.exitCode !== null || records().some((r) => typeof r.addr === 'string'), `the listening record; stdout=${p.stdout()} stderr=${p.stderr()}`);
    const listening = records().find((r) => typeof r.addr === 'string')!;
    assert.match(String(listening.msg), /^imageproxy listening on 127\.0\.0\.1:\d+$/, `listening record ${JSON.stringify(listening)}`);
    assert.match(String(listening.metricsAddr), /^127\.0\.0\.1:\d+$/, `listening record ${JSON.stringify(listening)}`);
    const base = `http://${String(listening.addr)}`;
    const r = await fetch(`${base}/${origin.url}/a.png`);
    assert.equal(r.status, 200, `image status = ${r.status}`);
    await r.arrayBuffer();
    const scrape = await fetch(`http://${String(listening.metricsAddr)}/metrics`);
    assert.match(await scrape.text(), /^# TYPE process_cpu_user_seconds_total counter$/m, 'the CLI metrics lack the default process metrics');
    await waitFor(() => records().some((x) => x.msg === 'access'), 'the access record');
    const access = records().find((x) => x.msg === 'access')!;
    const got = { method: access.method, path: access.path, status: access.status, bytes: access.bytes, cache: access.cache, remote: access.remote };
    const want = { method: 'GET', path: `/${origin.url}/a.png`, status: 200, bytes: PNG.length, cache: 'MISS', remote: '127.0.0.1' };
    assert.deepEqual(got, want, `access record ${JSON.stringify(access)}`);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0, `exit code; stderr=${p.stderr()}`);
    const all = records();
    assert.ok(all.some((x) => /SIGTERM received/.test(String(x.msg))), 'the shutdown line is not a record');
    for (const x of all) {
      assert.match(String(x.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, `record without an ISO time: ${JSON.stringify(x)}`);
      assert.ok(['info', 'warn', 'error'].includes(String(x.level)), `record without a level: ${JSON.stringify(x)}`);
    }
  } finally {
    p.child.kill('SIGKILL');
  }
});

test('-logFormat text: the listening lines as before, access lines as timestamped key=value text', async () => {
  const p = run([...BASE, '-logFormat', 'text']);
  try {
    await waitFor(() => p.child.exitCode !== null || /^imageproxy metrics listening on \S+$/m.test(p.stdout()), `the listening lines; stdout=${p.stdout()} stderr=${p.stderr()}`);
    const addr = /^imageproxy listening on (\S+)$/m.exec(p.stdout())?.[1];
    assert.ok(addr, `no listening line in ${p.stdout()}`);
    const r = await fetch(`http://${addr}/${origin.url}/a.png`);
    await r.arrayBuffer();
    const access = /^\S+Z INFO {2}access .*$/m;
    await waitFor(() => access.test(p.stdout()), 'the access line');
    const line = access.exec(p.stdout())![0];
    const want = new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z INFO  access method=GET path=/${origin.url.replace(/[.]/g, '\\.')}/a\\.png status=200 bytes=${PNG.length} durationMs=[\\d.]+ cache=MISS remote=127\\.0\\.0\\.1$`);
    assert.match(line, want, `access line ${JSON.stringify(line)}`);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0, `exit code; stderr=${p.stderr()}`);
  } finally {
    p.child.kill('SIGKILL');
  }
});

test('bad -logFormat and -metricsAddr values exit 2 with usage', async () => {
  const cases: Array<{ args: string[]; want: RegExp }> = [
    { args: ['-logFormat', 'pretty'], want: /flag -logFormat: want text or json, got "pretty"[\s\S]*Usage: imageproxy/ },
    { args: ['-metricsAddr', 'nonsense'], want: /flag -metricsAddr: invalid listen address[\s\S]*Usage: imageproxy/ },
  ];
  for (const c of cases) {
    const p = run(c.args);
    const code = await p.exited;
    assert.equal(code, 2, `imageproxy ${c.args.join(' ')} exit = ${code}, want 2; stderr=${p.stderr()}`);
    assert.match(p.stderr(), c.want, `imageproxy ${c.args.join(' ')} stderr`);
  }
});

test('parseFlags reads -logFormat and -metricsAddr from flags and variables', () => {
  const cases: Array<{ name: string; argv: string[]; env: Record<string, string>; want: { logFormat: string; metricsAddr: string } | 'usage' }> = [
    { name: 'defaults', argv: [], env: {}, want: { logFormat: 'text', metricsAddr: '' } },
    { name: 'flags', argv: ['-logFormat', 'json', '-metricsAddr', '127.0.0.1:9090'], env: {}, want: { logFormat: 'json', metricsAddr: '127.0.0.1:9090' } },
    { name: 'npm spelling', argv: ['--logFormat=json'], env: {}, want: { logFormat: 'json', metricsAddr: '' } },
    { name: 'variables', argv: [], env: { IMAGEPROXY_LOGFORMAT: 'json', IMAGEPROXY_METRICSADDR: ':9090' }, want: { logFormat: 'json', metricsAddr: ':9090' } },
    { name: 'flag wins over variable', argv: ['-logFormat', 'text'], env: { IMAGEPROXY_LOGFORMAT: 'json' }, want: { logFormat: 'text', metricsAddr: '' } },
    { name: 'empty variable keeps the default', argv: [], env: { IMAGEPROXY_LOGFORMAT: '', IMAGEPROXY_METRICSADDR: '' }, want: { logFormat: 'text', metricsAddr: '' } },
    { name: 'unknown format', argv: ['-logFormat', 'pretty'], env: {}, want: 'usage' },
    { name: 'format is case-sensitive', argv: [], env: { IMAGEPROXY_LOGFORMAT: 'JSON' }, want: 'usage' },
  ];
  for (const c of cases) {
    let got: { logFormat: string; metricsAddr: string } | 'usage';
    try {
      const f = parseFlags(c.argv, c.env);
      got = { logFormat: f.logFormat, metricsAddr: f.metricsAddr };
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      got = 'usage';
    }
    assert.deepEqual(got, c.want, `${c.name}: parseFlags(${JSON.stringify(c.argv)}, ${JSON.stringify(c.env)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});
