/**
 * The pool compiles the codec wasm on first need (lib/pool/start.ts): ready() and a JPEG transform
 * leave it uncompiled, the first WebP source compiles it once in this thread, and every worker
 * uses that one compile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTransformPool } from '../../../lib/pool/pool.js';
import { compiledHere } from '../../../lib/codecs/wasm/loader.js';
import { WORKER_CODECS } from '../../../lib/pool/start.js';
import { probe } from '../../../lib/codecs/index.js';
import { DEFAULT_LIMITS } from '../../../lib/config.js';
import { parseOptions } from '../../../lib/request/options.js';
import { FIXTURES, ROOT } from '../../helpers/paths.js';

/** ROSE_WEBP is a lossy WebP with alpha from golang.org/x/image testdata (BSD-3-Clause), see fixtures/SOURCES.md. */
const ROSE_WEBP = path.join(FIXTURES, 'ximage', 'yellow_rose.lossy-with-alpha.webp');
/** PHOTO is the bench's 1024x683 JPEG (bench/images). */
const PHOTO = path.join(ROOT, 'bench', 'images', 'photo1024.jpg');

const QUIET = { info() {}, warn() {}, error() {} };

test('the codec wasm is compiled once, when a worker first needs it, not before ready()', async () => {
  const pool = createTransformPool({ workers: 2, maxQueue: 8, logger: QUIET });
  try {
    await pool.ready();
    const steps: Array<{ name: string; file: string; options: string; runs: number; want: string[] }> = [
      { name: 'after ready()', file: '', options: '', runs: 0, want: [] },
      { name: 'after JPEG transforms on both workers', file: PHOTO, options: '100x', runs: 2, want: [] },
      { name: 'after WebP sources on both workers', file: ROSE_WEBP, options: '40x,png', runs: 2, want: [...WORKER_CODECS].sort() },
    ];
    for (const s of steps) {
      if (s.runs > 0) {
        const input = readFileSync(s.file);
        // Side by side, so that both workers take one.
        const outs = await Promise.all(Array.from({ length: s.runs }, () => pool.run(input, parseOptions(s.options), DEFAULT_LIMITS)));
        for (const o of outs) assert.ok(probe(o.bytes).width > 0, `${s.name}: run gave no image`);
      }
      const got = compiledHere().sort();
      assert.deepEqual(got, s.want, `${s.name}: compiledHere() = ${JSON.stringify(got)}, want ${JSON.stringify(s.want)}`);
    }
  } finally {
    await pool.close();
  }
});
