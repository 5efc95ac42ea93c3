import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatSize, parseSize } from './size.js';

void test('a size reads with K, M, G, T as powers of 1024, iB or B after, any case; a bare number counts as asked', () => {
  assert.equal(parseSize('256M'), 256 * 2 ** 20);
  assert.equal(parseSize('1.5GiB'), 1.5 * 2 ** 30);
  assert.equal(parseSize('2048kb'), 2 * 2 ** 20);
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('16', 2 ** 20), 16 * 2 ** 20);
  assert.equal(parseSize('16', 'needs-unit'), undefined);
  for (const bad of ['lots', '1P', '-1K', '1..5M', '']) assert.equal(parseSize(bad), undefined, bad);
});

void test('a size shows in the biggest unit it reaches, to a tenth', () => {
  assert.deepEqual([812, 1536, 256 * 2 ** 20, 1.55 * 2 ** 30, 2 ** 42].map(formatSize), ['812 B', '1.5 KiB', '256 MiB', '1.6 GiB', '4 TiB']);
});
