/**
 * The workers' code cache (lib/pool/code-cache.ts): a pool with a cache directory writes V8's
 * compiled worker code there once and reads it on later starts, and a cache it must not trust
 * (corrupt, truncated, foreign, writable by others, a symlink, in a directory others may write)
 * is never read: the worker compiles its source as without a cache and answers all the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { createTransformPool } from '../../../lib/pool/pool.js';
import { CODE_CACHE_MAGIC, codeCacheFile } from '../../../lib/pool/code-cache.js';
import { EMBEDDED_WORKER_HASH } from '../../../lib/pool/start.js';
import { DEFAULT_LIMITS } from '../../../lib/config.js';
import { parseOptions } from '../../../lib/request/options.js';
import { FIXTURES } from '../../helpers/paths.js';

/** PHOTO is a 600x400 4:2:0 JPEG from disintegration/imaging's testdata (MIT), see fixtures/SOURCES.md. */
const PHOTO = readFileSync(path.join(FIXTURES, 'jpeg', 'photo-420.jpg'));

/** QUIET is a logger that drops everything. */
const QUIET = { info() {}, warn() {}, error() {} };

/** WRITE_WAIT_MS bounds how long a test waits for a worker to write its cache after starting. */
const WRITE_WAIT_MS = 5000;

/** serveOnce starts a one-worker pool with the cache in dir, resizes PHOTO once and closes it; it returns the output width. */
async function serveOnce(dir: string, waitFor?: (file: string) => boolean): Promise<number> {
  const pool = createTransformPool({ workers: 1, maxQueue: 4, logger: QUIET, codeCacheDir: dir });
  try {
    await pool.ready();
    const out = await pool.run(new Uint8Array(PHOTO), parseOptions('60x'), DEFAULT_LIMITS);
    const file = cacheFile(dir);
    for (const t0 = Date.now(); waitFor && !waitFor(file) && Date.now() - t0 < WRITE_WAIT_MS;) await new Promise((r) => setTimeout(r, 20));
    // SOF0 width of the 4:2:0 output: the pool answered with a real image.
    return out.bytes.length > 0 ? jpegWidth(out.bytes) : 0;
  } finally {
    await pool.close();
  }
}

/** jpegWidth reads the width from a JPEG's first SOF marker. */
function jpegWidth(b: Uint8Array): number {
  for (let i = 2; i + 9 < b.length;) {
    const marker = b[i + 1];
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker >= 0xc0 && marker <= 0xc2) return (b[i + 7] << 8) | b[i + 8];
    i += 2 + len;
  }
  return 0;
}

/** cacheFile is where a pool keeps its cache in dir. */
function cacheFile(dir: string): string {
  return codeCacheFile(dir, EMBEDDED_WORKER_HASH);
}

/** validCache reports whether file holds a cache in our format whose CRC-32 matches. */
function validCache(file: string): boolean {
  if (!existsSync(file)) return false;
  const b = readFileSync(file);
  const head = CODE_CACHE_MAGIC.length + 4;
  return b.length > head && b.subarray(0, CODE_CACHE_MAGIC.length).toString() === CODE_CACHE_MAGIC && crc32(b.subarray(head)) === b.readUInt32LE(CODE_CACHE_MAGIC.length);
}

/** freshDir makes an empty private directory for one case. */
function freshDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imageproxy-cc-'));
  chmodSync(dir, 0o700);
  return dir;
}

test('codeCacheFile names the cache by source hash, Node.js version and architecture', () => {
  const cases = [
    { dir: '/c', hash: 'ab'.repeat(32), version: 'v20.20.2', arch: 'x64', want: `/c/worker-${'ab'.repeat(8)}-v20.20.2-x64.v8cache` },
    { dir: '/c/', hash: '0123456789abcdef0123', version: 'v22.1.0-nightly/x', arch: 'arm64', want: '/c/worker-0123456789abcdef-v22.1.0nightlyx-arm64.v8cache' },
  ];
  for (const c of cases) {
    const got = codeCacheFile(c.dir, c.hash, c.version, c.arch);
    assert.equal(got, c.want, `codeCacheFile(${c.dir}, ${c.hash}, ${c.version}, ${c.arch}) = ${got}, want ${c.want}`);
  }
});

test('a first start writes a private, checksummed cache; a later start reads it and leaves it as it is', async () => {
  const dir = path.join(freshDir(), 'made-by-the-pool');
  try {
    assert.equal(await serveOnce(dir, validCache), 60, 'first start: serveOnce(dir) width, want 60');
    const file = cacheFile(dir);
    assert.ok(validCache(file), `after a first start, ${file} is not a valid cache`);
    const modes = { dir: statSync(dir).mode & 0o777, file: statSync(file).mode & 0o777 };
    assert.deepEqual(modes, { dir: 0o700, file: 0o600 }, `modes = ${JSON.stringify(modes)}, want dir 0700 and file 0600`);
    const before = { bytes: readFileSync(file), mtime: statSync(file).mtimeMs };
    assert.equal(await serveOnce(dir), 60, 'second start: serveOnce(dir) width, want 60');
    await new Promise((r) => setTimeout(r, 200));
    const after = { bytes: readFileSync(file), mtime: statSync(file).mtimeMs };
    assert.ok(after.bytes.equals(before.bytes) && after.mtime === before.mtime, 'a start with a valid cache rewrote it, want it read and left alone');
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

/** Untrusted is one cache file the worker must not read; spoil turns a valid cache into it. */
interface Untrusted {
  name: string;
  spoil(file: string, dir: string): void;
}

const UNTRUSTED: Untrusted[] = [
  { name: 'a payload byte flipped (CRC-32 mismatch)', spoil: (f) => { const b = readFileSync(f); b[b.length >> 1] ^= 0xff; writeFileSync(f, b); } },
  { name: 'truncated to its header', spoil: (f) => writeFileSync(f, readFileSync(f).subarray(0, CODE_CACHE_MAGIC.length + 4)) },
  { name: 'cut in half', spoil: (f) => writeFileSync(f, readFileSync(f).subarray(0, readFileSync(f).length >> 1)) },
  { name: 'not our format (no magic)', spoil: (f) => writeFileSync(f, Buffer.from('#!/bin/sh\necho planted\n')) },
  { name: 'zero bytes', spoil: (f) => writeFileSync(f, Buffer.alloc(0)) },
  { name: 'writable by others (mode 0666)', spoil: (f) => chmodSync(f, 0o666) },
  {
    name: 'a symlink to a valid cache elsewhere',
    spoil: (f, dir) => {
      const elsewhere = path.join(dir, '..', `elsewhere-${path.basename(dir)}`);
      writeFileSync(elsewhere, readFileSync(f), { mode: 0o600 });
      rmSync(f);
      symlinkSync(elsewhere, f);
    },
  },
];

test('a cache that cannot be trusted is not read: the worker answers and replaces it with a valid one', async () => {
  const base = freshDir();
  const seed = path.join(base, 'seed');
  try {
    await serveOnce(seed, validCache);
    const valid = readFileSync(cacheFile(seed));
    for (const c of UNTRUSTED) {
      const dir = path.join(base, c.name.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(dir, { mode: 0o700 });
      const file = cacheFile(dir);
      writeFileSync(file, valid, { mode: 0o600 });
      c.spoil(file, dir);
      const spoiled = lstatSync(file);
      const width = await serveOnce(dir, (f) => validCache(f) && lstatSync(f).mtimeMs !== spoiled.mtimeMs && lstatSync(f).isFile());
      assert.equal(width, 60, `${c.name}: serveOnce width = ${width}, want 60`);
      const st = lstatSync(file);
      assert.ok(st.isFile() && (st.mode & 0o777) === 0o600 && validCache(file), `${c.name}: the cache was not replaced by a valid private file`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a cache directory others may write, or one that cannot be made, is left alone and the pool still answers', async () => {
  const base = freshDir();
  try {
    const open = path.join(base, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const blocker = path.join(base, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const cases = [
      { name: 'world-writable directory', dir: open, wantFile: false },
      { name: 'a directory under a regular file', dir: path.join(blocker, 'cache'), wantFile: false },
    ];
    for (const c of cases) {
      const width = await serveOnce(c.dir);
      assert.equal(width, 60, `${c.name}: serveOnce width = ${width}, want 60`);
      await new Promise((r) => setTimeout(r, 200));
      const got = existsSync(cacheFile(c.dir));
      assert.equal(got, c.wantFile, `${c.name}: cache file written = ${got}, want ${c.wantFile}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
