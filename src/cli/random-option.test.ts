import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UsageError } from './command.js';
import { takeRandomSeed } from './random-option.js';

void test('--random takes an optional seed, as the next argument or after =; without one a seed is drawn', () => {
  const draw = (): number => 99;
  assert.deepEqual(takeRandomSeed(['--jobs', '2', 'misc/a'], draw), { args: ['--jobs', '2', 'misc/a'], seed: undefined });
  assert.deepEqual(takeRandomSeed(['--random', '17', 'misc/a'], draw), { args: ['misc/a'], seed: 17 });
  assert.deepEqual(takeRandomSeed(['--random=0'], draw), { args: [], seed: 0 });
  assert.deepEqual(takeRandomSeed(['--random', 'misc/a'], draw), { args: ['misc/a'], seed: 99 });
  assert.deepEqual(takeRandomSeed(['--random'], draw), { args: [], seed: 99 });
  assert.deepEqual(takeRandomSeed(['--', '--random', '5'], draw), { args: ['--', '--random', '5'], seed: undefined });
  assert.throws(() => takeRandomSeed(['--random=x1']), (e) => e instanceof UsageError && e.message === '--random wants a seed from 0 to 4294967295, not "x1"');
  assert.throws(() => takeRandomSeed(['--random=4294967296']), UsageError);
  assert.throws(() => takeRandomSeed(['--random', '1', '--random']), /--random is given twice/);
});
