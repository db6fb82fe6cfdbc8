import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signCommand } from '../../bin/imageproxy-sign.js';
import { UsageError } from '../../bin/flags.js';
import { DIST } from '../helpers/paths.js';
import { parseRequest } from '../../lib/request/request.js';
import { verifySignature, signURL } from '../../lib/request/signature.js';

/** KNOWN is the Go project's documented example: key "secretkey", 400x400,q40 of codercat.jpg. */
const KNOWN = '0sR2kjyfiF1RQRj4Jm2fFa3_6SDFqdAaDEmy1oD2U-4=';
const CODERCAT = 'https://octodex.github.com/images/codercat.jpg';

test('signCommand signs proxy URLs and remote URLs with options in the fragment', () => {
  const urlOnly = signURL('secretkey', CODERCAT);
  const cases: Array<{ argv: string[]; env: Record<string, string>; want: string }> = [
    { argv: ['-key', 'secretkey', `http://localhost:8080/400x400,q40/${CODERCAT}`], env: {}, want: KNOWN },
    { argv: ['--key=secretkey', `http://localhost:8080/q40,400/${CODERCAT}`], env: {}, want: KNOWN },
    { argv: ['-key', 'secretkey', `http://localhost:8080/400x400,q40,sOLDSIG/${CODERCAT}`], env: {}, want: KNOWN },
    { argv: ['-key', 'secretkey', `${CODERCAT}#400x400,q40`], env: {}, want: KNOWN },
    { argv: [`${CODERCAT}#400x400,q40`], env: { IMAGEPROXY_SIGNATUREKEY: 'secretkey other' }, want: KNOWN },
    { argv: ['-key', 'secretkey', '-url', `http://localhost:8080/400x400,q40/${CODERCAT}`], env: {}, want: urlOnly },
    { argv: ['-url', '-key', 'secretkey', `${CODERCAT}#400x400`], env: {}, want: urlOnly },
    // no options: Go's tool signs "#0x0", which the server accepts as the options form
    { argv: ['-key', 'secretkey', CODERCAT], env: {}, want: signURL('secretkey', CODERCAT, parseRequest(`/x/${CODERCAT}`).options) },
  ];
  for (const { argv, env, want } of cases) {
    const got = signCommand(argv, env);
    assert.equal(got, want, `signCommand(${JSON.stringify(argv)}) = ${got}, want ${want}`);
  }
});

test('signCommand output verifies on the server side', () => {
  const cases = [
    `/100x200,fit/https://example.com/a.jpg?v=1`,
    `/x/http://Example.COM`,
    `/r90/aHR0cHM6Ly9leGFtcGxlLmNvbS9mb28_YmFy`,
    `/q10/https%3A%2F%2Fexample.com%2Fb.png`,
  ];
  for (const p of cases) {
    const sig = signCommand(['-key', 'k', `http://proxy.local${p}`], {});
    const [, opts, ...rest] = p.split('/');
    const signed = `/${opts},s${sig}/${rest.join('/')}`;
    assert.equal(verifySignature([Buffer.from('k')], parseRequest(signed)), true, `signature ${sig} of ${p} does not verify as ${signed}`);
  }
});

test('signCommand reads @file keys', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sign-'));
  const file = path.join(dir, 'key');
  writeFileSync(file, 'secretkey\n');
  assert.equal(signCommand(['-key', `@${file}`, `${CODERCAT}#400x400,q40`], {}), KNOWN);
  assert.throws(() => signCommand(['-key', `@${path.join(dir, 'missing')}`, CODERCAT], {}), UsageError);
});

test('signCommand reads keys as the server does (one loader for both commands)', () => {
  // imageproxy-sign used to have a loader of its own; the stricter server rules now hold for both:
  // CRLF is dropped, an empty file is refused by name, a missing file says why.
  const dir = mkdtempSync(path.join(tmpdir(), 'sign-'));
  const crlf = path.join(dir, 'crlf');
  const empty = path.join(dir, 'empty');
  const newlineOnly = path.join(dir, 'newline');
  writeFileSync(crlf, 'secretkey\r\n');
  writeFileSync(empty, '');
  writeFileSync(newlineOnly, '\n');
  const cases: Array<{ name: string; argv: string[]; env: Record<string, string>; want: string | RegExp }> = [
    { name: 'CRLF file', argv: ['-key', `@${crlf}`, `${CODERCAT}#400x400,q40`], env: {}, want: KNOWN },
    { name: 'CRLF file from the environment', argv: [`${CODERCAT}#400x400,q40`], env: { IMAGEPROXY_SIGNATUREKEY: `@${crlf}` }, want: KNOWN },
    { name: 'empty file', argv: ['-key', `@${empty}`, CODERCAT], env: {}, want: /^flag -key: key file ".*empty" is empty$/ },
    { name: 'newline-only file', argv: ['-key', `@${newlineOnly}`, CODERCAT], env: {}, want: /^flag -key: key file ".*newline" is empty$/ },
    { name: 'missing file', argv: [CODERCAT], env: { IMAGEPROXY_SIGNATUREKEY: `@${path.join(dir, 'missing')}` }, want: /^IMAGEPROXY_SIGNATUREKEY: cannot read key file ".*missing": ENOENT$/ },
  ];
  for (const { name, argv, env, want } of cases) {
    let got: string;
    try {
      got = signCommand(argv, env);
    } catch (err) {
      assert.ok(err instanceof UsageError, `${name}: signCommand threw ${String(err)}, want a UsageError`);
      got = err.message;
    }
    if (typeof want === 'string') assert.equal(got, want, `${name}: signCommand(${JSON.stringify(argv)}) = ${got}, want ${want}`);
    else assert.match(got, want, `${name}: signCommand(${JSON.stringify(argv)}) = ${got}, want ${want}`);
  }
});

test('signCommand refuses bad input', () => {
  const cases: Array<{ argv: string[]; env: Record<string, string> }> = [
    { argv: [], env: { IMAGEPROXY_SIGNATUREKEY: 'k' } },
    { argv: [CODERCAT], env: {} },
    { argv: ['-key', 'k', 'ftp://example.com/a'], env: {} },
    { argv: ['-key', 'k', 'not a url at all'], env: {} },
    { argv: ['-key', 'k', CODERCAT, 'extra'], env: {} },
    { argv: ['-key'], env: {} },
    { argv: ['-bogus', 'x', CODERCAT], env: {} },
    { argv: ['-key', '', CODERCAT], env: {} },
  ];
  for (const { argv, env } of cases) {
    assert.throws(() => signCommand(argv, env), UsageError, `signCommand(${JSON.stringify(argv)}) did not throw UsageError`);
  }
});

test('compiled imageproxy-sign CLI', () => {
  const cli = path.join(DIST, 'bin', 'imageproxy-sign.js');
  const env = { ...process.env, IMAGEPROXY_SIGNATUREKEY: '' };
  const ok = spawnSync(process.execPath, [cli, '-key', 'secretkey', `http://localhost:8080/400x400,q40/${CODERCAT}`], { encoding: 'utf8', env });
  assert.equal(ok.status, 0, `exit status ${ok.status}, stderr ${ok.stderr}`);
  assert.equal(ok.stdout, `${KNOWN}\n`);
  const bad = spawnSync(process.execPath, [cli, '-nope'], { encoding: 'utf8', env });
  assert.equal(bad.status, 2, `exit status for a bad flag = ${bad.status}, want 2`);
  assert.match(bad.stderr, /Usage: imageproxy-sign/);
  const help = spawnSync(process.execPath, [cli, '-help'], { encoding: 'utf8', env });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: imageproxy-sign/);
});
