import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseDepgraph } from './depgraph.js';

void test('edges DEP -> DEPENDENT become each pkgname\'s deps, in first-seen order', () => {
  const parsed = parseDepgraph('a-1 -> b-1\na-1 -> c-1\nb-1 -> c-1\n\n');
  assert.deepEqual(parsed.pkgnames, ['a-1', 'b-1', 'c-1']);
  assert.deepEqual(parsed.deps, [[], ['a-1'], ['a-1', 'b-1']]);
  assert.equal(parsed.edges, 3);
  assert.deepEqual(parsed.problems, []);
});

void test('a line that is not an edge is reported and skipped', () => {
  const parsed = parseDepgraph('a-1 -> b-1\nnonsense\nc-1 ->\n# comment\n');
  assert.equal(parsed.edges, 1);
  assert.deepEqual(parsed.problems.map((p) => p.line), [2, 3]);
});
