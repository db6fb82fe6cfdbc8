/**
 * Every embedded WebAssembly module is a fresh compile of its source: for each
 * lib/transform/wasm/<name>.wat, <name>-bytes.ts must hold exactly what wabt makes of it (run
 * `npm run build:wasm` after editing a .wat).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import wabtInit from 'wabt';
import { DIST, ROOT } from '../../../helpers/paths.js';

const SOURCES = path.join(ROOT, 'lib/transform/wasm');

test('each <name>-bytes.ts is the compiled <name>.wat', async () => {
  const wabt = await wabtInit();
  const wats = readdirSync(SOURCES).filter((f) => f.endsWith('.wat')).sort();
  assert.ok(wats.length >= 2, `found ${wats.length} .wat files in ${SOURCES}, want planes.wat and rgba.wat at least`);
  for (const file of wats) {
    const name = file.slice(0, -4);
    const mod = wabt.parseWat(file, readFileSync(path.join(SOURCES, file), 'utf8'), { simd: true });
    mod.validate();
    const fresh = Buffer.from(mod.toBinary({}).buffer).toString('base64');
    const constName = `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_WASM_BASE64`;
    const embedded = (await import(path.join(DIST, 'lib/transform/wasm', `${name}-bytes.js`)) as Record<string, string>)[constName];
    assert.equal(embedded, fresh, `${name}-bytes.ts ${constName} differs from a fresh compile of ${file}`);
  }
});
