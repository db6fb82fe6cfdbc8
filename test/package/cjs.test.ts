/**
 * The CommonJS build (dist/cjs, made by .ci/build-cjs.mjs) against the ES module build it is made
 * from: the same API, codecs that load their wasm through it, and the wasm shipped once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, FIXTURES } from '../helpers/paths.js';
import * as esm from '../../lib/index.js';

const CJS_ENTRY = path.join(DIST, 'cjs', 'index.js');
const cjs = createRequire(import.meta.url)(CJS_ENTRY) as typeof esm;

test('the CommonJS entry exports what the ES module entry exports', () => {
  const want = Object.keys(esm).sort();
  const got = Object.keys(cjs).filter((k) => k !== 'default' && k !== '__esModule').sort();
  const missing = want.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !want.includes(k));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `CommonJS exports differ: missing ${missing.join(', ')}; extra ${extra.join(', ')}`);
  for (const k of want) {
    const e = typeof (esm as Record<string, unknown>)[k];
    const c = typeof (cjs as Record<string, unknown>)[k];
    assert.equal(c, e, `typeof cjs.${k} = ${c}, want ${e}`);
  }
});

test('transform through the CommonJS entry decodes every codec, wasm ones included', async () => {
  const cases: { name: string; file: string; want: string }[] = [
    // fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
    { name: 'PNG', file: 'ximage/yellow_rose-small.png', want: 'image/png' },
    // fixtures/libwebp/test.webp — libwebp test image (see fixtures/SOURCES.md)
    { name: 'WebP (wasm decoder)', file: 'libwebp/test.webp', want: 'image/jpeg' },
    // fixtures/codecs/quad-alpha.avif — see fixtures/SOURCES.md
    { name: 'AVIF (wasm decoder)', file: 'codecs/quad-alpha.avif', want: 'image/jpeg' },
  ];
  for (const c of cases) {
    const bytes = readFileSync(path.join(FIXTURES, c.file));
    const got = await cjs.transform(bytes, cjs.parseOptions('8x'), cjs.DEFAULT_LIMITS);
    const size = cjs.probe(got.bytes);
    const want = await esm.transform(bytes, esm.parseOptions('8x'), esm.DEFAULT_LIMITS);
    assert.equal(got.contentType, c.want, `cjs transform(${c.name}, 8x).contentType = ${got.contentType}, want ${c.want}`);
    assert.equal(size.width, 8, `cjs transform(${c.name}, 8x) width = ${size.width}, want 8`);
    assert.ok(Buffer.from(got.bytes).equals(Buffer.from(want.bytes)), `cjs transform(${c.name}, 8x) differs from the ES module build's`);
  }
});

test('the CommonJS bundle carries no codec wasm of its own: the megabytes ship once, in dist/lib', () => {
  const text = readFileSync(CJS_ENTRY, 'latin1');
  const dir = path.join(DIST, 'lib', 'codecs', 'wasm');
  const modules = readdirSync(dir).filter((f) => f.endsWith('-bytes.js'));
  assert.ok(modules.length >= 4, `dist/lib/codecs/wasm has ${modules.length} embedded codec modules, want 4`);
  for (const m of modules) {
    // A stretch of the base64 past the wasm header, which every module shares.
    const sample = /'([A-Za-z0-9+/=]{2000,})'/.exec(readFileSync(path.join(dir, m), 'latin1'))?.[1].slice(1000, 1100) ?? '';
    assert.equal(sample.length, 100, `no base64 found in dist/lib/codecs/wasm/${m}`);
    assert.ok(!text.includes(sample), `dist/cjs/index.js holds a copy of ${m}'s wasm`);
  }
  assert.match(text, /import\("\.\.\/lib\/codecs\/wasm\/webp-dec-bytes\.js"\)/, 'dist/cjs/index.js does not load the WebP decoder bytes from dist/lib');
});
