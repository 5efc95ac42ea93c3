// Pressure-aware hosts: a host over one of its thresholds (load per core,
// CPU or IO pressure, free disk) takes no new job, says so, and is the
// reason a ready package waits; back under, it takes jobs again.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, HostLoad, Job } from './engine-events.js';
import { formatWaitReason } from './engine-why.js';
import { Engine, type PlanEntry } from './engine.js';
import { diskShort, pressureProblem } from './host-pressure.js';
import type { Estimate, HostSpec } from '../model.js';
import { policySet } from '../policies/policy-set.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'history' };
const entry = (name: string): PlanEntry => ({ pkgname: `${name}-1`, pkgpath: `c/${name}`, deps: [], initial: { status: 'open' }, estimate, makeJobsSafe: false });
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const hostNews = (cmds: EngineCommand[]): EngineCommand[] => cmds.filter((c) => c.type === 'host');
const calm: HostLoad = { loadPerCore: 0.2, swapUsed: 0, memoryFreeMiB: 8000, cpuPressure: 3, ioPressure: 1, diskFreeMiB: 50_000 };

void test('each threshold, and only a threshold passed, holds a host back', () => {
  const limits = { maxLoad: 2, maxPsi: 50, minDiskMiB: 10_240 };
  assert.equal(pressureProblem(limits, calm), undefined);
  assert.equal(pressureProblem(undefined, { ...calm, loadPerCore: 9 }), undefined, 'no thresholds: never held');
  assert.equal(pressureProblem(limits, undefined), undefined, 'nothing measured yet');
  assert.equal(pressureProblem(limits, { ...calm, loadPerCore: 2.5 }), 'load 2.50 per core above max-load=2');
  assert.equal(pressureProblem(limits, { ...calm, ioPressure: 71.3 }), 'IO pressure 71% above max-psi=50');
  assert.equal(pressureProblem(limits, { ...calm, cpuPressure: 99, diskFreeMiB: 900 }),
    'CPU pressure 99% above max-psi=50; 900 MiB free where it builds, below min-disk (10240 MiB)');
  assert.equal(pressureProblem({ maxPsi: 50 }, { loadPerCore: 0, swapUsed: 0, memoryFreeMiB: 1 }), undefined, 'a kernel without PSI is not held by max-psi');
  assert.equal(pressureProblem({ maxLoad: 1 }, { ...calm, loadPerCore: 1.8 }, 1), undefined, 'max-load does not count kiln\'s own make jobs (one per core here)');
  assert.equal(pressureProblem({ maxLoad: 1 }, { ...calm, loadPerCore: 2.5 }, 1), 'load 1.50 per core beyond kiln\'s own jobs above max-load=1');
});

void test('a host over its threshold takes no new job, shows it, is why the queue waits, and takes jobs again once under', () => {
  const host: HostSpec = { name: 'h', slots: 2, speed: 1, cores: 2, pressure: { maxPsi: 50 } };
  const e = new Engine([entry('a'), entry('b'), entry('c')], { ...policySet('kiln', true), maxAttempts: 3 });
  const first = starts(e.begin(0, [host]));
  assert.equal(first.length, 2);
  const loaded = e.handle({ type: 'host-load', at: 1, host: 'h', load: { ...calm, cpuPressure: 80 } });
  assert.deepEqual(hostNews(loaded), [{ type: 'host', at: 1, host: 'h', state: 'up', reason: 'takes no new job: CPU pressure 80% above max-psi=50' }]);
  assert.deepEqual(hostNews(e.handle({ type: 'host-load', at: 2, host: 'h', load: { ...calm, cpuPressure: 85 } })), [], 'said once, not at every report');
  assert.deepEqual(starts(e.handle({ type: 'job-ended', at: 3, job: first[0]!.id, outcome: { kind: 'built', phases: [] } })), [], 'a slot is free, but the host is held');
  const reason = e.waitReasons(3, 'c-1').get('c-1');
  assert.equal(reason && formatWaitReason(reason), 'the hosts that could take it take no new job for their load: h (CPU pressure 85% above max-psi=50)');
  const eased = e.handle({ type: 'host-load', at: 4, host: 'h', load: calm });
  assert.deepEqual(hostNews(eased), [{ type: 'host', at: 4, host: 'h', state: 'up' }]);
  assert.deepEqual(starts(eased).map((j) => j.pkgname), ['c-1']);
});

void test('a host that comes up over its threshold starts nothing, not even a first job', () => {
  const e = new Engine([entry('a')], { ...policySet('kiln', true), maxAttempts: 3 });
  e.begin(0, []);
  const up = e.handle({ type: 'host-up', at: 1, host: { name: 'h', slots: 1, speed: 1, cores: 1, pressure: { minDiskMiB: 1024 } }, load: { ...calm, diskFreeMiB: 10 } });
  assert.deepEqual(starts(up), []);
  assert.deepEqual(hostNews(up).at(-1), { type: 'host', at: 1, host: 'h', state: 'up', reason: 'takes no new job: 10 MiB free where it builds, below min-disk (1024 MiB)' });
});

void test('a job is never started on a host with less free disk than its port\'s last build needed; why says so', () => {
  assert.equal(diskShort({ diskMiB: 900 }, { ...calm, diskFreeMiB: 1000 }), undefined);
  assert.equal(diskShort({}, { ...calm, diskFreeMiB: 1 }), undefined, 'never measured: no objection');
  assert.equal(diskShort({ diskMiB: 900 }, { loadPerCore: 0, swapUsed: 0, memoryFreeMiB: 1 }), undefined, 'the host measured no disk');
  const big: PlanEntry = { ...entry('big'), estimate: { ...estimate, diskMiB: 20_000 } };
  const e = new Engine([big, entry('small')], { ...policySet('kiln', true), maxAttempts: 3 });
  e.begin(0, []);
  const small = e.handle({ type: 'host-up', at: 1, host: { name: 'tight', slots: 2, speed: 1, cores: 2 }, load: { ...calm, diskFreeMiB: 5000 } });
  assert.deepEqual(starts(small).map((j) => [j.pkgname, j.host]), [['small-1', 'tight']], 'the small port starts, the big one not there');
  const reason = e.waitReasons(1, 'big-1').get('big-1');
  assert.equal(reason && formatWaitReason(reason),
    'the hosts with a free slot have too little disk for it: tight (5000 MiB free where it builds, its last build needed 20000 MiB)');
  const roomy = e.handle({ type: 'host-up', at: 2, host: { name: 'roomy', slots: 1, speed: 1, cores: 1 }, load: { ...calm, diskFreeMiB: 30_000 } });
  assert.deepEqual(starts(roomy).map((j) => [j.pkgname, j.host]), [['big-1', 'roomy']]);
});

void test('jobs started since the host measured its disk count against it: two that need 3000 MiB each do not both start on 5000 MiB', () => {
  assert.equal(diskShort({ diskMiB: 3000 }, { ...calm, diskFreeMiB: 5000 }, 3000),
    '2000 MiB free where it builds (5000 MiB less 3000 MiB for the jobs started since), its last build needed 3000 MiB');
  const big = (name: string): PlanEntry => ({ ...entry(name), estimate: { ...estimate, diskMiB: 3000 } });
  const e = new Engine([big('x'), big('y'), entry('small')], { ...policySet('kiln', true), maxAttempts: 3 });
  e.begin(0, []);
  const up = e.handle({ type: 'host-up', at: 1, host: { name: 'tight', slots: 3, speed: 1, cores: 3 }, load: { ...calm, diskFreeMiB: 5000 } });
  const names = starts(up).map((j) => j.pkgname);
  assert.equal(names.filter((n) => n === 'x-1' || n === 'y-1').length, 1, `one of the big two, in one round: ${names.join(' ')}`);
  assert.ok(names.includes('small-1'));
  const waiting = names.includes('x-1') ? 'y-1' : 'x-1';
  const reason = e.waitReasons(1, waiting).get(waiting);
  assert.match(reason ? formatWaitReason(reason) : '', /too little disk for it: tight \(2000 MiB free where it builds \(5000 MiB less 3000 MiB/);
  // The host measures again with the first job's disk in: the same rule holds with nothing promised.
  const later = e.handle({ type: 'host-load', at: 6, host: 'tight', load: { ...calm, diskFreeMiB: 2500 } });
  assert.deepEqual(starts(later), []);
  const roomy = e.handle({ type: 'host-load', at: 11, host: 'tight', load: { ...calm, diskFreeMiB: 4000 } });
  assert.deepEqual(starts(roomy).map((j) => j.pkgname), [waiting]);
});
