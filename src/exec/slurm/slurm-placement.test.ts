// What squeue says of an allocation, as kiln shows it: pending with Slurm's
// reason, or running with its job id and node.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { placementOf } from './slurm-channel.js';

void test('squeue\'s %i %T %r %N line: pending with its reason, running with its job and node, nothing when gone', () => {
  assert.deepEqual(placementOf('812 PENDING Resources \n'), { pending: true, manager: 'Slurm', reason: 'Resources' });
  assert.deepEqual(placementOf('813 PENDING Priority n/a\n'), { pending: true, manager: 'Slurm', reason: 'Priority' });
  assert.deepEqual(placementOf('814 CONFIGURING None node3\n'), { pending: true, manager: 'Slurm', reason: 'configuring' });
  assert.deepEqual(placementOf('812 RUNNING None node17\n'), { pending: false, where: 'Slurm job 812 on node17' });
  assert.equal(placementOf(''), undefined);
});
