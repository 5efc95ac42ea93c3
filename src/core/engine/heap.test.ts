import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IdHeap } from './heap.js';
import { seededRandom } from '../simulation/random.js';

void test('walk gives the ids in the order pop would, ties to the smaller id, and takes none out', () => {
  const random = seededRandom(7);
  const score = Float64Array.from({ length: 300 }, () => random.below(20));
  const heap = new IdHeap(score);
  for (let id = 299; id >= 0; id--) heap.push(id);
  heap.push(5);
  const next = heap.walk();
  const walked: number[] = [];
  for (let id = next(); id !== undefined; id = next()) walked.push(id);
  assert.equal(heap.size, 301);
  const copy = heap.copy();
  const popped: number[] = [];
  for (let id = copy.pop(); id !== undefined; id = copy.pop()) popped.push(id);
  assert.deepEqual(walked, popped);
  assert.equal(heap.size, 301, 'popping the copy leaves the heap');
  for (let i = 1; i < popped.length; i++) {
    const [a, b] = [popped[i - 1]!, popped[i]!];
    assert.ok(score[a]! > score[b]! || (score[a] === score[b] && a <= b), `${a} before ${b}`);
  }
});
