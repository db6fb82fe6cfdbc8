import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxShrink } from '../../../lib/transform/boxshrink.js';
import { BLUE, GREEN, RED, YELLOW, fromRows, quarters, show, solid, toRows } from './bitmaps.js';

test('boxShrink averages blocks, weighted by alpha', () => {
  const q = boxShrink(quarters(), 2, 2);
  assert.deepEqual(toRows(q), [[RED, GREEN], [BLUE, YELLOW]], `boxShrink(quarters, 2, 2) = ${show(q)}`);
  const one = boxShrink(fromRows([[RED, [0, 255, 0, 0]], [BLUE, [0, 0, 0, 0]]]), 1, 1);
  assert.deepEqual(toRows(one), [[[128, 0, 128, 128]]], `boxShrink(half transparent, 1, 1) = ${show(one)}`);
  const odd = boxShrink(solid(5, 3, [7, 8, 9, 255]), 2, 2);
  assert.deepEqual(toRows(odd), [[[7, 8, 9, 255], [7, 8, 9, 255]], [[7, 8, 9, 255], [7, 8, 9, 255]]], `boxShrink(solid 5x3, 2, 2) = ${show(odd)}`);
});
