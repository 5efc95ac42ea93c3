import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseRunnerReport } from './runner-scripts.js';

void test('a runner report gives started, status and the CPU of the runner and its children', () => {
  assert.deepEqual(parseRunnerReport('started\n0m0.010s 0m0.005s\n1m2.500s 0m0.250s\nstatus 2\n'), { started: true, status: 2, cpuS: 62.765 });
  assert.deepEqual(parseRunnerReport('started\n'), { started: true, status: undefined, cpuS: undefined });
  assert.deepEqual(parseRunnerReport(''), { started: false, status: undefined, cpuS: undefined });
});
