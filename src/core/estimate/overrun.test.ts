import assert from 'node:assert/strict';
import { test } from 'node:test';

import { correctedEnd } from './overrun.js';

void test('a job within its estimate ends when expected; one past it runs on for a quarter of the time it has run', () => {
  const table: [number, number, number, number][] = [
    // started, expected end, now, expected end seen now
    [0, 100, 50, 100],
    [0, 100, 100, 100],
    [0, 100, 120, 150],
    [0, 100, 400, 500],
    [1000, 1010, 1080, 1100],
  ];
  for (const [started, expected, now, end] of table) assert.equal(correctedEnd(started, expected, now), end, `${started} ${expected} ${now}`);
});
