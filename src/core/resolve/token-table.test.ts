import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Token } from './token-table.js';
import { hashStep, TokenTable } from './token-table.js';

const hashOf = (text: string): number => [...text].reduce((hash, c) => hashStep(hash, c.charCodeAt(0)), 0);

test('each token is read once, wherever it stands in a line', () => {
  const read: string[] = [];
  const table = new TokenTable((text): Token => { read.push(text); return { kind: 'malformed', text }; });
  const line = 'a:x b:y a:x';
  const first = table.get(line, 0, 3, hashOf('a:x'));
  assert.equal(table.get(line, 8, 11, hashOf('a:x')), first);
  assert.equal(table.get('  a:x', 2, 5, hashOf('a:x')), first);
  table.get(line, 4, 7, hashOf('b:y'));
  assert.deepEqual(read, ['a:x', 'b:y']);
});

test('tokens whose hashes collide are told apart by their text', () => {
  const table = new TokenTable((text): Token => ({ kind: 'malformed', text }));
  const line = 'ab abc ba';
  assert.equal(table.get(line, 0, 2, 7).text, 'ab');
  assert.equal(table.get(line, 3, 6, 7).text, 'abc');
  assert.equal(table.get(line, 7, 9, 7).text, 'ba');
  assert.equal(table.get(line, 0, 2, 7).text, 'ab');
});
