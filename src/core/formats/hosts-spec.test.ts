import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseHostsSpec } from './hosts-spec.js';

void test('dpb hosts lines: name, jobs, sf, cores, mem, and the class (features, mandatory); defaults 1 slot at speed 1', () => {
  const parsed = parseHostsSpec([
    '# cluster', 'STARTUP=/path/to/script', 'localhost jobs=2',
    'builder@10.0.0.2 jobs=8 arch=x86_64 sf=3 timeout=30 cores=16 mem=32G', 'tiny', 'big features=big-parallel,kvm mandatory=big-parallel',
  ].join('\n'));
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.hosts, [
    { name: 'localhost', slots: 2, speed: 1 },
    { name: 'builder@10.0.0.2', slots: 8, speed: 3, cores: 16, memoryMiB: 32768 },
    { name: 'tiny', slots: 1, speed: 1 },
    { name: 'big', slots: 1, speed: 1, features: ['big-parallel', 'kvm'], mandatory: ['big-parallel'] },
  ]);
});

void test('bad values are reported with their line', () => {
  const parsed = parseHostsSpec('a jobs=0\nb sf=fast\nc cores=2.5 mem=lots\nd features=a,,b');
  assert.deepEqual(parsed.problems.map((p) => p.line), [1, 2, 3, 3, 4]);
});
