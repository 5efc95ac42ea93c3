import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, HostLoad, Job } from './engine-events.js';
import { formatWaitReason } from './engine-why.js';
import { Engine, type PlanEntry } from './engine.js';
import type { Estimate } from '../model.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { kilnPlacement } from '../policies/placement-kiln.js';
import { kilnPriority } from '../policies/priority-kiln.js';

const estimate = (memoryMiB?: number): Estimate =>
  ({ wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'history', ...(memoryMiB !== undefined && { memoryMiB }) });
const entries = (count: number, memoryMiB?: number): PlanEntry[] => Array.from({ length: count }, (_, i) => ({
  pkgname: `p${i}-1`, pkgpath: `c/p${i}`, deps: [], initial: { status: 'open' }, estimate: estimate(memoryMiB), makeJobsSafe: false,
}));
const engine = (plan: PlanEntry[]): Engine => new Engine(plan, { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const built = { kind: 'built', phases: [] } as const;
const loaded: HostLoad = { loadPerCore: 3, swapUsed: 0, memoryFreeMiB: 8000 };
const calm: HostLoad = { loadPerCore: 0.5, swapUsed: 0, memoryFreeMiB: 8000 };

void test('a loaded host runs fewer jobs, says so and why a port waits, and takes more again slowly once the load is gone', () => {
  const e = engine(entries(12));
  const first = starts(e.begin(0, [{ name: 'h', slots: 4, speed: 1, cores: 4 }]));
  assert.equal(first.length, 4);
  const said = e.handle({ type: 'host-load', at: 1, host: 'h', load: loaded });
  assert.deepEqual(said.filter((c) => c.type === 'host'),
    [{ type: 'host', at: 1, host: 'h', state: 'up', reason: 'holds 1 of 4 slots back: load 2.00 per core beyond kiln\'s own jobs, above 1' }]);
  assert.deepEqual(starts(e.handle({ type: 'job-ended', at: 10, job: first[0]!.id, outcome: built })), [], 'limit 3, 3 running');
  const why = e.waitReasons(10, 'p5-1').get('p5-1');
  assert.match(why ? formatWaitReason(why) : '',
    /^every slot is busy; \d+ ready packages? comes? before it \(h holds 1 of 4 slots back: load 2\.00 per core beyond kiln's own jobs, above 1\)$/);
  assert.equal(starts(e.handle({ type: 'job-ended', at: 11, job: first[1]!.id, outcome: built })).length, 1, 'back to 3');
  e.handle({ type: 'host-load', at: 20, host: 'h', load: calm });
  assert.deepEqual(starts(e.handle({ type: 'job-ended', at: 22, job: first[2]!.id, outcome: built })).length, 1, 'not quiet long enough yet');
  const more = e.handle({ type: 'host-load', at: 40, host: 'h', load: calm });
  assert.equal(starts(more).length, 1, 'one more slot after a quiet period');
  assert.deepEqual(more.filter((c) => c.type === 'host'), [{ type: 'host', at: 40, host: 'h', state: 'up' }], 'and it says it holds none back');
  assert.equal(e.hostStates()[0]!.running, 4);
});

void test('a 2-core host given 2 jobs keeps running 2 while the load is only its own make jobs', () => {
  const e = engine(entries(6));
  const first = starts(e.begin(0, [{ name: 'h', slots: 2, speed: 1, cores: 2 }]));
  assert.equal(first.length, 2);
  for (const [at, load] of [[5, { ...calm, loadPerCore: 2.1, cpuPressure: 12 }], [10, { loadPerCore: 1.9, swapUsed: 0, memoryFreeMiB: 4000 }]] as const) {
    assert.deepEqual(e.handle({ type: 'host-load', at, host: 'h', load }).filter((c) => c.type === 'host'), [], `no slot held back at ${at}`);
  }
  assert.equal(starts(e.handle({ type: 'job-ended', at: 12, job: first[0]!.id, outcome: built })).length, 1, 'the freed slot is used at once');
  assert.equal(e.hostStates()[0]!.running, 2);
});

void test('jobs known to need much memory do not start side by side', () => {
  const e = engine(entries(3, 6000));
  const first = starts(e.begin(0, [{ name: 'h', slots: 4, speed: 1, cores: 4, memoryMiB: 16000 }]));
  assert.equal(first.length, 1, 'big jobs (over a quarter of 16 GiB) one at a time');
  assert.equal(starts(e.handle({ type: 'job-ended', at: 10, job: first[0]!.id, outcome: built })).length, 1);
});
