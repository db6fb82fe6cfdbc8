/**
 * Every embedded WebAssembly module is a fresh compile of its source: for each
 * lib/transform/wasm/<name>.wat, <name>-bytes.ts must hold exactly what wabt makes of it (run
 * `npm run build:wasm` after editing a .wat). And where WebAssembly is missing, the JavaScript
 * passes give the very same output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import wabtInit from 'wabt';
import { DIST, ROOT } from '../../../helpers/paths.js';

const SOURCES = path.join(ROOT, 'lib/transform/wasm');
const execFileP = promisify(execFile);

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

test('without WebAssembly, transform() falls back to the JavaScript passes and gives the very same bytes', async () => {
  // node --no-expose-wasm removes the WebAssembly global, as an embedder without it would.
  const cases: Array<[file: string, opts: string]> = [
    ['jpeg/photo-420.jpg', '300x,r90'], // YCbCr plane passes (branches.jpg re-encoded by cjpeg, MIT)
    ['imaging/flowers_small.png', '50x'], // RGBA passes, opaque (imaging testdata, MIT)
    ['ximage/yellow_rose-small.png', '20x'], // RGBA passes with alpha (x/image testdata, BSD-3-Clause)
  ];
  const script = `
    import { readFileSync } from 'node:fs';
    import { createHash } from 'node:crypto';
    const { transform } = await import(${JSON.stringify(path.join(DIST, 'lib/transform/transform.js'))});
    const { parseOptions } = await import(${JSON.stringify(path.join(DIST, 'lib/request/options.js'))});
    const { DEFAULT_LIMITS } = await import(${JSON.stringify(path.join(DIST, 'lib/config.js'))});
    const out = [typeof WebAssembly];
    for (const [f, o] of ${JSON.stringify(cases)}) {
      const r = await transform(readFileSync(${JSON.stringify(path.join(ROOT, 'fixtures'))} + '/' + f), parseOptions(o), DEFAULT_LIMITS);
      out.push(createHash('sha256').update(r.bytes).digest('hex'));
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await execFileP(process.execPath, ['--no-expose-wasm', '--input-type=module', '-e', script]);
  const [wasmType, ...got] = JSON.parse(stdout) as string[];
  assert.equal(wasmType, 'undefined', `typeof WebAssembly under --no-expose-wasm = ${wasmType}, want undefined`);
  const { transform } = await import(path.join(DIST, 'lib/transform/transform.js'));
  const { parseOptions } = await import(path.join(DIST, 'lib/request/options.js'));
  const { DEFAULT_LIMITS } = await import(path.join(DIST, 'lib/config.js'));
  for (const [i, [file, opts]] of cases.entries()) {
    const r = await transform(readFileSync(path.join(ROOT, 'fixtures', file)), parseOptions(opts), DEFAULT_LIMITS);
    const want = createHash('sha256').update(r.bytes).digest('hex');
    assert.equal(got[i], want, `transform(${file}, ${opts}) without WebAssembly = sha256 ${got[i]}, want ${want} (with it)`);
  }
});
