/**
 * The WebAssembly entropy decoder (lib/codecs/jpegfast/huffman.wat via huffwasm.ts) is the twin of
 * the JavaScript path in scan.ts: the embedded module is a fresh compile of its source, and both
 * give the very same planes, errors and scan ends on every fixture JPEG, on cut and damaged copies
 * of them, and in a process without WebAssembly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import wabtInit from 'wabt';
import { DIST, FIXTURES, ROOT } from '../../../helpers/paths.js';
import { decodeJpegPlanes } from '../../../../lib/codecs/jpegfast/decoder.js';
import { setWasmEntropy, wasmEntropyReady } from '../../../../lib/codecs/jpegfast/huffwasm.js';
import { HUFFMAN_WASM_BASE64 } from '../../../../lib/codecs/jpegfast/huffman-bytes.js';

const execFileP = promisify(execFile);

function jpegs(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? jpegs(p) : /\.jpe?g$/i.test(n) ? [p] : [];
  });
}

/** FILES are the fixture JPEGs plus the bench's 1024 px photo (the 4000 px one is slow to decode twice). */
const FILES = [...jpegs(FIXTURES), path.join(ROOT, 'bench/images/photo1024.jpg')];

/** outcome decodes bytes at scale and digests the planes (or the error message). */
function outcome(bytes: Uint8Array, scale: 1 | 2 | 4 | 8): string {
  try {
    const r = decodeJpegPlanes(bytes, { scale, maxPixels: 50_000_000 });
    if (!r) return 'fallback';
    return createHash('sha256').update(JSON.stringify(r, (_k, v: unknown) =>
      ArrayBuffer.isView(v) ? createHash('sha256').update(v as Uint8Array).digest('hex') : v)).digest('hex');
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

function both(bytes: Uint8Array, scale: 1 | 2 | 4 | 8): { wasm: string; js: string } {
  try {
    setWasmEntropy(true);
    const wasm = outcome(bytes, scale);
    setWasmEntropy(false);
    return { wasm, js: outcome(bytes, scale) };
  } finally {
    setWasmEntropy(true);
  }
}

test('huffman-bytes.ts is the compiled huffman.wat', async () => {
  const wabt = await wabtInit();
  const file = path.join(ROOT, 'lib/codecs/jpegfast/huffman.wat');
  const mod = wabt.parseWat('huffman.wat', readFileSync(file, 'utf8'), { simd: true });
  mod.validate();
  const fresh = Buffer.from(mod.toBinary({}).buffer).toString('base64');
  assert.equal(HUFFMAN_WASM_BASE64, fresh, 'huffman-bytes.ts differs from a fresh compile of huffman.wat (run npm run build:wasm)');
});

test('the WebAssembly and JavaScript entropy decoders give the same planes on every fixture JPEG', () => {
  assert.ok(wasmEntropyReady(), 'wasmEntropyReady() = false, want true where WebAssembly exists');
  assert.ok(FILES.length >= 20, `found ${FILES.length} JPEG fixtures, want at least 20`);
  let decoded = 0;
  for (const file of FILES) {
    const bytes = new Uint8Array(readFileSync(file));
    for (const scale of [1, 2, 4, 8] as const) {
      const { wasm, js } = both(bytes, scale);
      if (!wasm.startsWith('error') && wasm !== 'fallback') decoded++;
      assert.equal(wasm, js, `decodeJpegPlanes(${path.relative(ROOT, file)}, 1/${scale}) wasm = ${wasm}, want ${js} (JavaScript)`);
    }
  }
  assert.ok(decoded > FILES.length * 2, `only ${decoded} decodes succeeded, want most of ${FILES.length * 4}`);
});

test('the twins agree on cut and damaged JPEGs: same planes or the same error', () => {
  const src = new Uint8Array(readFileSync(path.join(ROOT, 'bench/images/photo1024.jpg')));
  // The entropy-coded data starts after the headers: damage lands in it past byte 1000.
  const cases: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const frac of [0.3, 0.6, 0.97]) cases.push({ name: `cut at ${frac}`, bytes: src.slice(0, Math.floor(src.length * frac)) });
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 12; i++) {
    const b = src.slice();
    for (let j = 0; j < 1 + i * 3; j++) b[1000 + Math.floor(rnd() * (b.length - 1002))] = Math.floor(rnd() * 256);
    cases.push({ name: `${1 + i * 3} random bytes (seed round ${i})`, bytes: b });
  }
  const ff = src.slice();
  for (let p = 2000; p < ff.length - 2; p += 997) ff[p] = 0xff;
  cases.push({ name: 'stray 0xFF bytes', bytes: ff });
  for (const c of cases) {
    for (const scale of [1, 8] as const) {
      const { wasm, js } = both(c.bytes, scale);
      assert.equal(wasm, js, `decodeJpegPlanes(photo1024 ${c.name}, 1/${scale}) wasm = ${wasm}, want ${js} (JavaScript)`);
    }
  }
});

test('without WebAssembly the JavaScript entropy decoder runs and gives the same planes', async () => {
  const files = FILES.slice(0, 12);
  const script = `
    import { readFileSync } from 'node:fs';
    import { createHash } from 'node:crypto';
    const { decodeJpegPlanes } = await import(${JSON.stringify(path.join(DIST, 'lib/codecs/jpegfast/decoder.js'))});
    const { wasmEntropyReady } = await import(${JSON.stringify(path.join(DIST, 'lib/codecs/jpegfast/huffwasm.js'))});
    const out = [String(wasmEntropyReady())];
    for (const f of ${JSON.stringify(files)}) {
      try {
        const r = decodeJpegPlanes(new Uint8Array(readFileSync(f)), { scale: 2, maxPixels: 50000000 });
        out.push(r ? createHash('sha256').update(JSON.stringify(r, (k, v) => ArrayBuffer.isView(v) ? createHash('sha256').update(v).digest('hex') : v)).digest('hex') : 'fallback');
      } catch (err) { out.push('error: ' + err.message); }
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await execFileP(process.execPath, ['--no-expose-wasm', '--input-type=module', '-e', script]);
  const [ready, ...got] = JSON.parse(stdout) as string[];
  assert.equal(ready, 'false', `wasmEntropyReady() under --no-expose-wasm = ${ready}, want false`);
  files.forEach((f, i) => {
    const want = outcome(new Uint8Array(readFileSync(f)), 2);
    assert.equal(got[i], want, `decodeJpegPlanes(${path.relative(ROOT, f)}) without WebAssembly = ${got[i]}, want ${want} (with it)`);
  });
});
