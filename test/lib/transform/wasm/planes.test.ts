/**
 * Tests of the WebAssembly plane passes' memory handling: they keep working after a resize
 * large enough to make the module drop its memory. (planepass.test.ts compares them with the
 * JavaScript passes; embedded.test.ts checks the module is a fresh compile.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WASM_KEEP_BYTES, wasmMemoryBytes } from '../../../../lib/transform/wasm/planes.js';
import { resizePlane, type PlaneView } from '../../../../lib/transform/planepass.js';
import { precomputeWeights } from '../../../../lib/transform/resample.js';

test('a resize that grows memory past WASM_KEEP_BYTES still gives the JavaScript result, and so does the next', () => {
  const small = (): PlaneView => {
    const data = new Uint8Array(40 * 30);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 255;
    return { data, offset: 0, stride: 40, width: 40, height: 30 };
  };
  // An unscaled copy whose source, intermediate and output (1 + 2 + 2 bytes a sample) need more
  // memory than the module may keep.
  const w = 4096, h = Math.ceil(WASM_KEEP_BYTES / (4 * w)) + 8;
  const big: PlaneView = { data: new Uint8Array(w * h).fill(200), offset: 0, stride: w, width: w, height: h };
  const bigOut = resizePlane(big, precomputeWeights(w, w), precomputeWeights(h, h));
  assert.ok(bigOut.every((v) => v === 200 << 4), 'resizePlane(big flat plane) is not flat');
  assert.equal(wasmMemoryBytes(), 0, `wasmMemoryBytes() after a ${w}x${h} resize = ${wasmMemoryBytes()}, want 0 (instance dropped)`);
  const s = small();
  const wx = precomputeWeights(17, 40), wy = precomputeWeights(11, 30);
  assert.deepEqual(Array.from(resizePlane(s, wx, wy, true)), Array.from(resizePlane(s, wx, wy, false)),
    'resizePlane after a large resize differs from the JavaScript pass');
  const kept = wasmMemoryBytes();
  assert.ok(kept > 0 && kept <= WASM_KEEP_BYTES, `wasmMemoryBytes() after a small resize = ${kept}, want 1..${WASM_KEEP_BYTES}`);
});
