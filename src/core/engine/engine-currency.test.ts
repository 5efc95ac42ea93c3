// The engine's part in incremental builds and shared locks: a package that
// may still be current is checked (`check`/`checked`) once its dependencies
// are built, never built when it is; a pkgpath another run holds waits.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { Engine, type InitialState, type PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { fastestFreePlacement } from '../policies/placement-fastest.js';
import { pbulkPriority } from '../policies/priority-pbulk.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'estimate' };
const recheck: InitialState = { status: 'open', recheck: true };

function engine(spec: Record<string, string[]>, initial: Record<string, InitialState> = {}): Engine {
  const plan: PlanEntry[] = Object.entries(spec).map(([pkgname, deps]) => ({
    pkgname, pkgpath: `cat/${pkgname.replace(/-[0-9].*$/, '')}`, deps, initial: initial[pkgname] ?? { status: 'open' }, estimate, makeJobsSafe: true,
  }));
  return new Engine(plan, { priority: pbulkPriority, placement: fastestFreePlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
}

const host: HostSpec = { name: 'localhost', slots: 4, speed: 1, cores: 4 };
const starts = (cmds: EngineCommand[]): string[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job.pkgname] : []));
const checks = (cmds: EngineCommand[]): string[] => cmds.flatMap((c) => (c.type === 'check' ? [c.pkgname] : []));
const jobOf = (cmds: EngineCommand[], pkgname: string): Job => cmds.flatMap((c) => (c.type === 'start' && c.job.pkgname === pkgname ? [c.job] : []))[0]!;
const built = { kind: 'built', phases: [] } as const;

describe('engine: checks before building', () => {
  test('a dependent found current is up to date without a job, and what needs it goes on', () => {
    const e = engine({ 'lib-1': [], 'app-1': ['lib-1'], 'tool-1': ['app-1'] }, { 'app-1': recheck, 'tool-1': recheck });
    e.begin(0);
    const first = e.handle({ type: 'host-up', at: 0, host });
    assert.deepEqual(starts(first), ['lib-1']);
    assert.deepEqual(checks(first), [], 'nothing is checked before its dependencies are built');
    const afterLib = e.handle({ type: 'job-ended', at: 1, job: jobOf(first, 'lib-1').id, outcome: built });
    assert.deepEqual(checks(afterLib), ['app-1']);
    assert.deepEqual(starts(afterLib), []);
    assert.equal(afterLib.some((c) => c.type === 'finished'), false, 'an open check keeps the run going');
    const afterCheck = e.handle({ type: 'checked', at: 2, pkgname: 'app-1', verdict: { status: 'up-to-date' } });
    assert.deepEqual(checks(afterCheck), ['tool-1']);
    const end = e.handle({ type: 'checked', at: 3, pkgname: 'tool-1', verdict: { status: 'up-to-date' } });
    assert.deepEqual(end.at(-1), { type: 'finished', at: 3, result: 'complete' });
    assert.deepEqual([e.statusOf('lib-1'), e.statusOf('app-1'), e.statusOf('tool-1')], ['done', 'up-to-date', 'up-to-date']);
  });

  test('a dependent found stale is built; one found failed with the same inputs blocks what needs it', () => {
    const e = engine({ 'lib-1': [], 'app-1': ['lib-1'], 'bad-1': ['lib-1'], 'user-1': ['bad-1'] }, { 'app-1': recheck, 'bad-1': recheck });
    e.begin(0);
    const first = e.handle({ type: 'host-up', at: 0, host });
    const after = e.handle({ type: 'job-ended', at: 1, job: jobOf(first, 'lib-1').id, outcome: built });
    assert.deepEqual(checks(after).sort(), ['app-1', 'bad-1']);
    assert.deepEqual(starts(e.handle({ type: 'checked', at: 2, pkgname: 'app-1', verdict: { status: 'open' } })), ['app-1']);
    e.handle({ type: 'checked', at: 3, pkgname: 'bad-1', verdict: { status: 'failed', phase: 'build', error: 'compiler error', reason: 'failed in run 1' } });
    assert.equal(e.statusOf('bad-1'), 'failed');
    assert.equal(e.statusOf('user-1'), 'indirect-failed');
  });

  test('a resumed run: a package this run built before it was killed is done, not up to date', () => {
    const e = engine({ 'lib-1': [], 'app-1': ['lib-1'] }, { 'lib-1': { status: 'done' }, 'app-1': recheck });
    const begun = e.begin(0);
    assert.deepEqual(checks(begun), ['app-1'], 'its dependencies are built already: checked at once');
    e.handle({ type: 'host-up', at: 0, host });
    const end = e.handle({ type: 'checked', at: 1, pkgname: 'app-1', verdict: { status: 'done' } });
    assert.equal(e.statusOf('app-1'), 'done');
    assert.equal(end.at(-1)?.type, 'finished');
  });

  test('no check when a dependency failed; a late answer changes nothing', () => {
    const e = engine({ 'lib-1': [], 'app-1': ['lib-1'] }, { 'app-1': recheck });
    e.begin(0);
    const first = e.handle({ type: 'host-up', at: 0, host });
    const failed = e.handle({ type: 'job-ended', at: 1, job: jobOf(first, 'lib-1').id, outcome: { kind: 'failed', phase: 'build', error: 'x', phases: [] } });
    assert.deepEqual(checks(failed), []);
    assert.equal(e.statusOf('app-1'), 'indirect-failed');
    assert.deepEqual(e.handle({ type: 'checked', at: 2, pkgname: 'app-1', verdict: { status: 'up-to-date' } }), []);
    assert.equal(e.statusOf('app-1'), 'indirect-failed');
  });
});

describe('engine: pkgpaths other runs hold', () => {
  test('a held pkgpath waits; once let go it is checked (the other run may have built it), then built if need be', () => {
    const e = engine({ 'a-1': [], 'b-1': [], 'c-1': [] });
    e.begin(0);
    e.handle({ type: 'path-locked', at: 0, pkgpath: 'cat/a', by: 'kiln pid 7 on far' });
    e.handle({ type: 'path-locked', at: 0, pkgpath: 'cat/c', by: 'kiln pid 7 on far' });
    const first = e.handle({ type: 'host-up', at: 0, host });
    assert.deepEqual(starts(first), ['b-1']);
    const afterB = e.handle({ type: 'job-ended', at: 1, job: jobOf(first, 'b-1').id, outcome: built });
    assert.equal(afterB.some((c) => c.type === 'finished'), false, 'it waits for the other run');
    const unlocked = e.handle({ type: 'path-unlocked', at: 2, pkgpath: 'cat/a' });
    assert.deepEqual([starts(unlocked), checks(unlocked)], [[], ['a-1']]);
    assert.deepEqual(starts(e.handle({ type: 'checked', at: 3, pkgname: 'a-1', verdict: { status: 'open' } })), ['a-1']);
    assert.deepEqual(checks(e.handle({ type: 'path-unlocked', at: 4, pkgpath: 'cat/c' })), ['c-1']);
    e.handle({ type: 'checked', at: 5, pkgname: 'c-1', verdict: { status: 'up-to-date' } });
    assert.equal(e.statusOf('c-1'), 'up-to-date');
  });

  test('a job that could not take its lock goes back to the queue without using an attempt', () => {
    const e = engine({ 'a-1': [] });
    e.begin(0);
    const first = e.handle({ type: 'host-up', at: 0, host });
    const job = jobOf(first, 'a-1');
    const refused = e.handle({ type: 'path-locked', at: 1, pkgpath: 'cat/a', by: 'kiln pid 7 on far', job: job.id });
    assert.deepEqual(refused.filter((c) => c.type === 'requeue').map((c) => c.type === 'requeue' && c.job.id), [job.id]);
    assert.deepEqual(starts(refused), []);
    assert.deepEqual(checks(e.handle({ type: 'path-unlocked', at: 2, pkgpath: 'cat/a' })), ['a-1']);
    const again = e.handle({ type: 'checked', at: 3, pkgname: 'a-1', verdict: { status: 'open' } });
    assert.equal(jobOf(again, 'a-1').attempt, 1);
  });

  test('a failure another run had with the same inputs stands here; deleting its lock retries', () => {
    const e = engine({ 'a-1': [], 'b-1': ['a-1'], 'slow-1': [] });
    e.begin(0);
    const first = e.handle({ type: 'host-up', at: 0, host });
    assert.deepEqual(starts(first).sort(), ['a-1', 'slow-1'], 'slow-1 keeps the run going');
    e.handle({ type: 'path-locked', at: 1, pkgpath: 'cat/a', by: 'run 2 of /other', job: jobOf(first, 'a-1').id, failed: { phase: 'build', error: 'linker error' } });
    assert.equal(e.statusOf('a-1'), 'failed');
    assert.equal(e.statusOf('b-1'), 'indirect-failed');
    assert.deepEqual(starts(e.handle({ type: 'path-unlocked', at: 2, pkgpath: 'cat/a' })), ['a-1']);
    assert.equal(e.statusOf('b-1'), 'open');
  });
});
