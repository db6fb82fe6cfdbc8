/**
 * EmbeddedModule's memory keeping (lib/transform/wasm/runtime.ts): an instance whose memory grew
 * past keepBytes is dropped after its call, and the dropped bytes are counted until a collection
 * is reported, so a worker can tell when freed-but-uncollected wasm memory calls for one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import wabtInit from 'wabt';
import { EmbeddedModule, releasedWasmBytes, resetReleasedWasmBytes } from '../../../../lib/transform/wasm/runtime.js';

/** PAGE is one page of wasm linear memory. */
const PAGE = 65536;

/** memoryModule compiles a module that only exports a one-page memory, as base64. */
async function memoryModule(): Promise<string> {
  const wabt = await wabtInit();
  const m = wabt.parseWat('mem.wat', '(module (memory (export "memory") 1))');
  const { buffer } = m.toBinary({});
  m.destroy();
  return Buffer.from(buffer).toString('base64');
}

test('an instance grown past keepBytes is dropped after its call and its memory counted until reset', async () => {
  const mod = new EmbeddedModule<{ memory: { buffer: ArrayBuffer; grow(pages: number): number } }>('test-memory-keep', await memoryModule(), 4 * PAGE);
  assert.ok(mod.available(), 'the one-page memory module does not compile here');
  resetReleasedWasmBytes();
  const cases = [
    { name: 'a call within keepBytes', bytes: 2 * PAGE, wantKept: 2 * PAGE, wantReleased: 0 },
    { name: 'a call that grows past keepBytes', bytes: 10 * PAGE, wantKept: 0, wantReleased: 10 * PAGE },
    { name: 'a small call after it (a fresh instance)', bytes: PAGE, wantKept: PAGE, wantReleased: 10 * PAGE },
  ];
  for (const c of cases) {
    mod.call(c.bytes, (ex) => ex.memory.buffer.byteLength);
    const got = { kept: mod.memoryBytes(), released: releasedWasmBytes() };
    assert.deepEqual(got, { kept: c.wantKept, released: c.wantReleased }, `${c.name}: call(${c.bytes}) then memoryBytes, releasedWasmBytes = ${JSON.stringify(got)}, want ${JSON.stringify({ kept: c.wantKept, released: c.wantReleased })}`);
  }
  resetReleasedWasmBytes();
  assert.equal(releasedWasmBytes(), 0, `releasedWasmBytes() after resetReleasedWasmBytes() = ${releasedWasmBytes()}, want 0`);
});
