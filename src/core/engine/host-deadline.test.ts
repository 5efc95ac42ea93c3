// A host with a time limit (a Slurm allocation) takes only the jobs that
// are expected to end before its `until`; the others wait for a host with
// time left and say so.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { formatWaitReason } from './engine-why.js';
import { Engine, type PlanEntry } from './engine.js';
import { drainBeforeS, endsInTime, fitsFresh, tooLongForAny, untilOf } from './host-deadline.js';
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

void test('a new allocation is worth asking for a job only if the job would end in a fresh one, with time to start it', () => {
  // 600 s less its 120 s margin less 10 s to start: 470 s at speed 1.
  assert.equal(fitsFresh(600, 1, 470), true);
  assert.equal(fitsFresh(600, 1, 471), false);
  assert.equal(fitsFresh(600, 2, 940), true, 'at its speed');
  assert.equal(fitsFresh(60, 1, 43), true, 'a short allocation keeps a tenth of its window to start');
  assert.equal(fitsFresh(60, 1, 44), false);
  assert.equal(fitsFresh(undefined, 1, 1e9), true, 'no limit');
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
  assert.equal(reason && formatWaitReason(reason), 'it is not expected to end before the time limit of slurm-p-1 (a new allocation is asked for if a fresh one has time for it)');
  const second = starts(e.handle({ type: 'host-up', at: 2, host: { name: 'slurm-p-2', slots: 1, speed: 1, cores: 1, until: 2 + 7200 } }));
  assert.deepEqual(second.map((j) => `${j.pkgname} ${j.host}`), ['long-1 slurm-p-2']);
});

void test('a lone host ending too soon for every ready job starts none of them, even with nothing running', () => {
  const e = new Engine([entry('long', 3600)], { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
  assert.deepEqual(starts(e.begin(0, [{ name: 'slurm-p-1', slots: 1, speed: 1, cores: 1, until: 60 }])), []);
  assert.equal(e.finished, false);
});

void test('the ready packages no host up can end in time are told, each with its expected time; none while no host has a limit', () => {
  const plan = [entry('long', 3600), entry('mid', 500), entry('short', 10), entry('tiny', 5)];
  const config = { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 };
  const free = new Engine(plan, config);
  free.begin(0, [{ name: 'h', slots: 1, speed: 1, cores: 1 }]);
  assert.deepEqual(free.untimely(1), [], 'a host with no limit has time for anything');
  const e = new Engine(plan, config);
  assert.deepEqual(starts(e.begin(0, [{ name: 'slurm-p-1', slots: 1, speed: 1, cores: 1, until: 600 }])).map((j) => j.pkgname), ['mid-1']);
  assert.deepEqual(e.untimely(1).sort((a, b) => a - b), [3600], 'short and tiny wait for the busy slot, not for time');
  assert.deepEqual(e.untimely(595).sort((a, b) => a - b), [10, 3600], 'as the end comes nearer, more do not fit');
  e.handle({ type: 'host-up', at: 200, host: { name: 'slurm-p-2', slots: 1, speed: 1, cores: 1, until: 200 + 7200 } });
  assert.deepEqual(e.untimely(201), [], 'a host with time left takes them');
});

void test('jobs too long for every host: only when each host has a time limit and no fresh allocation of any gives each job the time', () => {
  const minute = { limitS: 60, speed: 1 }; // a 48 s window, 38 s of it for a job
  const twoMinutes = { limitS: 120, speed: 1 };
  assert.equal(tooLongForAny([60], [minute]), true, 'a 60 s guess on 1-minute allocations never starts');
  assert.equal(tooLongForAny([60], [minute, twoMinutes]), false, 'a longer allocation line has time for it');
  assert.equal(tooLongForAny([60], [{ limitS: 60, speed: 2 }]), false, 'a faster host has time for it');
  assert.equal(tooLongForAny([60], [minute, { limitS: undefined, speed: 1 }]), false, 'a host without a limit may take it');
  assert.equal(tooLongForAny([60, 10], [minute]), false, 'one of them fits: waiting helps');
  assert.equal(tooLongForAny([], [minute]), false);
  assert.equal(tooLongForAny([60], []), false);
});
