// A host with a time limit (a Slurm allocation) takes only the jobs that
// are expected to end before its `until`; the others wait for a host with
// time left and say so.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { formatWaitReason } from './engine-why.js';
import { Engine, type PlanEntry } from './engine.js';
import { drainBeforeS, endsInTime, untilOf } from './host-deadline.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { kilnPlacement } from '../policies/placement-kiln.js';
import { kilnPriority } from '../policies/priority-kiln.js';

void test('a job fits a host when it is expected to end by the host\'s until, at the host\'s speed', () => {
  const host = { name: 'h', slots: 1, speed: 2, cores: 1 };
  const cases: Array<[until: number | undefined, at: number, durationS: number, fits: boolean]> = [
    [undefined, 1e9, 1e9, true],
    [100, 0, 200, true], // 100 s at speed 2
    [100, 1, 200, false],
    [100, 100, 0, true],
    [100, 101, 0, false], // past its until nothing starts
  ];
  for (const [until, at, durationS, fits] of cases) {
    assert.equal(endsInTime({ ...host, ...(until !== undefined && { until }) }, at, durationS), fits, `until ${until} at ${at} duration ${durationS}`);
  }
});

void test('an allocation stops taking jobs a fifth of its time before its end, at most five minutes before', () => {
  assert.equal(drainBeforeS(60), 12);
  assert.equal(drainBeforeS(240 * 60), 300);
  assert.equal(untilOf(1000, 600), 1000 + 600 - 120);
});

const entry = (name: string, wallS: number): PlanEntry => ({
  pkgname: `${name}-1`, pkgpath: `c/${name}`, deps: [], initial: { status: 'open' }, makeJobsSafe: false,
  estimate: { wallS, cpuS: wallS, buildWallS: wallS, buildCpuS: wallS, makeJobs: 1, source: 'history' },
});
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));

void test('a host ending soon takes the short job, the long one waits and says why; a host with time left takes it', () => {
  const e = new Engine([entry('long', 3600), entry('short', 10)], { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
  const first = starts(e.begin(0, [{ name: 'slurm-p-1', slots: 2, speed: 1, cores: 2, until: 600 }]));
  assert.deepEqual(first.map((j) => `${j.pkgname} ${j.host}`), ['short-1 slurm-p-1'], 'the long job does not start where it cannot end');
  const reason = e.waitReasons(1, 'long-1').get('long-1');
  assert.equal(reason && formatWaitReason(reason), 'it is not expected to end before the time limit of slurm-p-1 (a new allocation is asked for)');
  const second = starts(e.handle({ type: 'host-up', at: 2, host: { name: 'slurm-p-2', slots: 1, speed: 1, cores: 1, until: 2 + 7200 } }));
  assert.deepEqual(second.map((j) => `${j.pkgname} ${j.host}`), ['long-1 slurm-p-2']);
});

void test('a lone host ending too soon for every ready job starts none of them, even with nothing running', () => {
  const e = new Engine([entry('long', 3600)], { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
  assert.deepEqual(starts(e.begin(0, [{ name: 'slurm-p-1', slots: 1, speed: 1, cores: 1, until: 60 }])), []);
  assert.equal(e.finished, false);
});
