/**
 * The workers' code cache: V8's compiled code for the embedded worker source, kept in a private
 * directory between starts, so a new process's workers skip compiling ~600 KB of JavaScript.
 *
 * Without it every worker parses and compiles the whole bundle before it can say it is ready
 * (measured here: ~25 ms of compile and ~20 ms of running the module bodies, on a cold start's
 * critical path). With it the compile is a ~4 ms deserialisation. The worker is then started
 * from CODE_CACHE_BOOT, a small script that compiles the source through `vm.Script` with the
 * cached data and runs it as the eval'd worker would have run it.
 *
 * Safety: cached code is trusted by V8 as if it were the source, so a file planted by someone
 * else would run as this process. The boot reads a cache only from a directory and a file that
 * belong to this user and that nobody else may write (checked with lstat, no symlinks), and only
 * when its CRC-32 matches: V8 release builds do not checksum code caches, and a corrupt one could
 * crash the worker rather than be rejected. Any other file is ignored and replaced. The file name
 * carries a hash of the worker source and the Node.js version and architecture, so one directory
 * serves several builds. Every failure (no such directory, read-only disk, a rejected cache)
 * falls back to compiling the source, as without a cache; the worker never fails for it.
 */

import path from 'node:path';

/** CODE_CACHE_DATA_KEY names the workerData field that carries a CodeCacheStart. */
export const CODE_CACHE_DATA_KEY = 'imageproxyCodeCache';

/** CODE_CACHE_MAGIC starts every cache file, before its CRC-32 and V8's data: an unknown file is never handed to V8. */
export const CODE_CACHE_MAGIC = 'IPV8';

/** CodeCacheStart is what the boot script needs: the worker source and where its cache lives. */
export interface CodeCacheStart {
  /** The worker source (CommonJS), as the pool would otherwise eval it. */
  source: string;
  /** The cache file: codeCacheFile(). */
  file: string;
}

/**
 * codeCacheFile names the cache file in dir for the worker source whose hash is sourceHash, under
 * this Node.js version and architecture (V8 rejects another version's cache anyway; the name keeps
 * two versions sharing a directory from replacing each other's file on every start).
 */
export function codeCacheFile(dir: string, sourceHash: string, nodeVersion: string = process.version, arch: string = process.arch): string {
  return path.join(dir, `worker-${sourceHash.slice(0, 16)}-${nodeVersion.replace(/[^0-9A-Za-z.]/g, '')}-${arch}.v8cache`);
}

/**
 * CODE_CACHE_BOOT is the worker's entry when it has a code cache (CommonJS, run with `eval`).
 *
 * It reads the cache (when trusted, see the file comment), compiles the source with it, runs it
 * with the eval'd worker's require/module, and, when there was no usable cache, writes one right
 * after the worker's start (one createCachedData and one atomic rename, a few ms) rather than
 * later: a short-lived process (a serverless start answering one request) may be gone by then.
 */
export const CODE_CACHE_BOOT = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const zlib = require('node:zlib');
const { workerData, threadId } = require('node:worker_threads');
const start = workerData[${JSON.stringify(CODE_CACHE_DATA_KEY)}];
const MAGIC = Buffer.from(${JSON.stringify(CODE_CACHE_MAGIC)});
const HEADER = MAGIC.length + 4;
const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
const ownedPrivate = (st) => uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0);
function trusted(file) {
  try {
    const d = fs.lstatSync(path.dirname(file));
    const f = fs.lstatSync(file);
    return d.isDirectory() && f.isFile() && ownedPrivate(d) && ownedPrivate(f);
  } catch {
    return false;
  }
}
function readCache(file) {
  if (typeof zlib.crc32 !== 'function' || !trusted(file)) return undefined;
  try {
    const b = fs.readFileSync(file);
    if (b.length <= HEADER || !b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const data = b.subarray(HEADER);
    return zlib.crc32(data) === b.readUInt32LE(MAGIC.length) ? data : undefined;
  } catch {
    return undefined;
  }
}
function writeCache(file, data) {
  if (typeof zlib.crc32 !== 'function') return;
  const dir = path.dirname(file);
  const tmp = file + '.' + process.pid + '.' + threadId + '.tmp';
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedPrivate(fs.lstatSync(dir))) return;
    const head = Buffer.alloc(HEADER);
    MAGIC.copy(head);
    head.writeUInt32LE(zlib.crc32(data), MAGIC.length);
    fs.writeFileSync(tmp, Buffer.concat([head, data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    try { fs.unlinkSync(tmp); } catch {}
  }
}
const wrapped = '(function (require, module, exports, __filename, __dirname) {' + start.source + '\\n})';
const cachedData = readCache(start.file);
let script;
try {
  script = new vm.Script(wrapped, { filename: 'imageproxy-worker.js', cachedData });
} catch {
  // A runtime whose vm refuses cachedData (another engine) compiles as without a cache.
  script = new vm.Script(wrapped, { filename: 'imageproxy-worker.js' });
}
script.runInThisContext()(require, module, exports, __filename, __dirname);
if (cachedData === undefined || script.cachedDataRejected === true) {
  setImmediate(() => {
    try {
      writeCache(start.file, script.createCachedData());
    } catch {
      // No cache this time (a runtime without createCachedData): the worker serves all the same.
    }
  });
}
`;
