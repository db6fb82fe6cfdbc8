/**
 * Disk cache: one file per entry under a directory, the `-cache /path` and `file:///path`
 * backends. Entries survive restarts.
 */
import { randomBytes } from 'node:crypto';
import { keyHash } from './keyhash.js';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cache } from './cache.js';

/** TEMP_SUFFIX ends the name of a file still being written; such files are never read. */
export const TEMP_SUFFIX = '.tmp';

/**
 * STALE_TEMP_MS is the age past which a temporary file is taken to be left by a crashed write
 * (a write lasts seconds at most) and is removed by sweepStaleTemp.
 */
export const STALE_TEMP_MS = 60 * 60 * 1000;

export { keyHash } from './keyhash.js';

function isNotFound(err: unknown): boolean {
  return (err as { code?: string }).code === 'ENOENT';
}

/**
 * DiskCache stores each value in `dir/ab/cd/abcd…` (two levels sharded by the key's sha256, as
 * the Go server shards `c0/ff/c0ffee`). A write goes to a temporary file in the same directory
 * and is renamed into place, so a crash leaves either the old entry, the new one, or an unread
 * temporary file — never a partial entry under the entry's name. There is no fsync: after a
 * power loss an entry may be empty or garbled, which the entry checksum (see framing.ts) catches.
 *
 * Errors (read-only or full disk, permissions) are thrown for the guard to turn into misses.
 */
export class DiskCache implements Cache {
  constructor(
    /** The cache's root directory. */
    readonly dir: string,
  ) {}

  /** pathFor returns the file that holds key. */
  pathFor(key: string): string {
    const h = keyHash(key);
    return path.join(this.dir, h.slice(0, 2), h.slice(2, 4), h);
  }

  /** get reads the entry, or returns undefined when there is none. */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathFor(key));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** set writes the entry atomically (temporary file, then rename); ttlMs is ignored. */
  async set(key: string, value: Buffer): Promise<void> {
    const file = this.pathFor(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    try {
      await writeFile(tmp, value, { flag: 'wx' });
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  /**
   * sweepStaleTemp removes temporary files older than STALE_TEMP_MS (as of `now`) from the
   * shard directories, the leftovers of writes a crash interrupted, and returns how many it
   * removed. Files that vanish or cannot be removed meanwhile are skipped.
   */
  async sweepStaleTemp(now = Date.now()): Promise<number> {
    let removed = 0;
    const dirs = async (d: string): Promise<string[]> => {
      try {
        return (await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.join(d, e.name));
      } catch {
        return [];
      }
    };
    for (const a of await dirs(this.dir)) {
      for (const b of await dirs(a)) {
        let names: string[];
        try {
          names = await readdir(b);
        } catch {
          continue;
        }
        for (const name of names) {
          if (!name.endsWith(TEMP_SUFFIX)) continue;
          const f = path.join(b, name);
          try {
            if ((await stat(f)).mtimeMs > now - STALE_TEMP_MS) continue;
            await unlink(f);
            removed++;
          } catch {
            // Renamed into place or removed by its writer meanwhile.
          }
        }
      }
    }
    return removed;
  }

  /** delete removes the entry; a missing one is not an error. */
  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathFor(key));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
