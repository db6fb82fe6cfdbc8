/**
 * The package's `imageproxy` command (dist/cli, bundled by .ci/build-cli.mjs from dist/bin): its
 * files import packages, each other, and the ESM build's wasm bytes modules, nothing else, so no
 * module of dist/lib is loaded twice (which would make two copies of a class), and the package's
 * bin names it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, ROOT } from '../helpers/paths.js';

const CLI_DIR = path.join(DIST, 'cli');

/** importsOf lists the specifiers a bundled ES module imports, statically or by import(). */
function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"([^"]+)"/gm)].map((m) => m[1]);
}

test('the bundled command imports only packages, its own chunks and the wasm bytes modules of dist/lib', () => {
  const files = readdirSync(CLI_DIR).filter((f) => f.endsWith('.js'));
  assert.ok(files.includes('imageproxy.js') && files.length > 1, `dist/cli = ${files.join(' ')}, want imageproxy.js and its chunks`);
  for (const f of files) {
    for (const spec of importsOf(path.join(CLI_DIR, f))) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(CLI_DIR, spec);
      const ok = path.dirname(target) === CLI_DIR || (target.startsWith(path.join(DIST, 'lib') + path.sep) && target.endsWith('-bytes.js'));
      assert.ok(ok, `importsOf(dist/cli/${f}) includes ${spec}, want only ./chunks and ../lib/**/*-bytes.js`);
    }
  }
});

test("package.json's imageproxy bin is the bundled command", () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin.imageproxy, 'dist/cli/imageproxy.js', `package.json bin.imageproxy = ${pkg.bin.imageproxy}, want dist/cli/imageproxy.js`);
});
