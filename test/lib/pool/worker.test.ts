import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage, type Collector } from '../../../lib/pool/worker.js';

test('collectGarbage collects the young generation, and runs a full collection only when that was not enough', () => {
  const cases: Array<{ name: string; stillNeeded: boolean; want: string[]; wantFull: boolean }> = [
    { name: 'the task\'s buffers died young', stillNeeded: false, want: ['minor'], wantFull: false },
    { name: 'garbage remains (buffers that lived through a collection, dropped wasm memories)', stillNeeded: true, want: ['minor', 'full'], wantFull: true },
  ];
  for (const { name, stillNeeded, want, wantFull } of cases) {
    const calls: string[] = [];
    const gc: Collector = (options) => void calls.push(options?.type ?? 'full');
    // The check must come after the young-generation collection, which is what it judges.
    const full = collectGarbage(gc, () => calls.length === 1 && calls[0] === 'minor' && stillNeeded);
    assert.deepEqual({ calls, full }, { calls: want, full: wantFull }, `${name}: collectGarbage = ${JSON.stringify({ calls, full })}, want ${JSON.stringify({ calls: want, full: wantFull })}`);
  }
});
