import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildSplit, buildWallAt, coreSecondsAt, wallAt, type BuildTiming } from './speedup.js';

// A build recorded at 4 make jobs: 100 s of build wall, 340 s of build CPU.
// q = (340 - 100) * 4 / 3 = 320 s ran 4 wide, s = 100 - 320 / 4 = 20 s serial.
const recorded: BuildTiming = { wallS: 150, cpuS: 370, buildWallS: 100, buildCpuS: 340, makeJobs: 4 };

void test('the build phase splits into a serial part and a parallel part', () => {
  assert.deepEqual(buildSplit(recorded), { serialS: 20, parallelCpuS: 320 });
});

void test('the recorded make jobs give the recorded time', () => {
  assert.equal(buildWallAt(recorded, 4), 100);
  assert.equal(wallAt(recorded, 4), 150);
});

void test('more make jobs shorten only the build phase, Amdahl\'s way', () => {
  const cases: [number, number][] = [[8, 20 + 320 / 8], [16, 20 + 320 / 16], [2, 20 + 320 / 2]];
  for (const [m, build] of cases) {
    assert.equal(buildWallAt(recorded, m), build, `build at ${m}`);
    assert.equal(wallAt(recorded, m), 50 + build, `job at ${m}`);
  }
});

void test('never below the recorded build CPU over the make jobs', () => {
  // All CPU parallel (q clamps to C): s + q/m would be C/m exactly; with
  // more CPU than m0 * wall the floor C/m decides.
  const greedy: BuildTiming = { wallS: 110, cpuS: 500, buildWallS: 100, buildCpuS: 500, makeJobs: 4 };
  assert.equal(buildWallAt(greedy, 8), 500 / 8);
  assert.equal(buildWallAt(greedy, 2), 500 / 2);
  for (const m of [1, 2, 3, 5, 8, 16, 64]) {
    assert.ok(buildWallAt(recorded, m) >= recorded.buildCpuS / m - 1e-9, `floor at ${m}`);
    assert.ok(coreSecondsAt(recorded, m) >= recorded.cpuS - 1e-9, `core-seconds at ${m}`);
  }
});

void test('more make jobs never slower, fewer never faster than recorded', () => {
  const serial: BuildTiming = { wallS: 100, cpuS: 60, buildWallS: 80, buildCpuS: 50, makeJobs: 4 };
  assert.equal(buildWallAt(serial, 16), 80, 'no parallel part: the time stays');
  assert.equal(buildWallAt(serial, 1), 80);
  let previous = Infinity;
  for (let m = 1; m <= 32; m++) {
    const t = buildWallAt(recorded, m);
    assert.ok(t <= previous + 1e-9, `monotone at ${m}`);
    previous = t;
  }
});

void test('a record at one make job tells nothing of parallelism: its time stays', () => {
  const single: BuildTiming = { wallS: 30, cpuS: 20, buildWallS: 20, buildCpuS: 18, makeJobs: 1 };
  assert.equal(wallAt(single, 8), 30);
  assert.equal(wallAt(single, 1), 30);
});

void test('the whole job holds its cores for at least its CPU', () => {
  const busy: BuildTiming = { wallS: 100, cpuS: 400, buildWallS: 50, buildCpuS: 200, makeJobs: 4 };
  assert.equal(wallAt(busy, 1), 400, 'one core for 400 CPU seconds: 400 s');
});
