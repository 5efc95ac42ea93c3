import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { Engine, type InitialState, type PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { fastestFreePlacement } from '../policies/placement-fastest.js';
import { pbulkPriority } from '../policies/priority-pbulk.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'estimate' };

/** `spec` maps pkgname to its deps; the pkgpath is `cat/<name without version>`. */
function plan(spec: Record<string, string[]>, initial: Record<string, InitialState> = {}, paths: Record<string, string> = {}): PlanEntry[] {
  return Object.entries(spec).map(([pkgname, deps]) => ({
    pkgname, pkgpath: paths[pkgname] ?? `cat/${pkgname.replace(/-[0-9].*$/, '')}`, deps,
    initial: initial[pkgname] ?? { status: 'open' }, estimate, makeJobsSafe: true,
  }));
}

function engine(entries: PlanEntry[]): Engine {
  return new Engine(entries, { priority: pbulkPriority, placement: fastestFreePlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
}

const host = (name: string, slots: number, speed = 1): HostSpec => ({ name, slots, speed, cores: slots });
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const built = { kind: 'built', phases: [] } as const;

describe('engine', () => {
  test('starts a package only after its dependencies are built', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': ['a-1'], 'c-1': ['b-1'] }));
    e.begin(0);
    let jobs = starts(e.handle({ type: 'host-up', at: 0, host: host('localhost', 4) }));
    assert.deepEqual(jobs.map((j) => j.pkgname), ['a-1']);
    jobs = starts(e.handle({ type: 'job-ended', at: 1, job: jobs[0]!.id, outcome: built }));
    assert.deepEqual(jobs.map((j) => j.pkgname), ['b-1']);
    jobs = starts(e.handle({ type: 'job-ended', at: 2, job: jobs[0]!.id, outcome: built }));
    assert.deepEqual(jobs.map((j) => j.pkgname), ['c-1']);
    const end = e.handle({ type: 'job-ended', at: 3, job: jobs[0]!.id, outcome: built });
    assert.deepEqual(end.at(-1), { type: 'finished', at: 3, result: 'complete' });
    assert.equal(e.snapshot().byStatus.done, 3);
  });

  test('pbulk order: the ready package with the most dependents first', () => {
    // lib-1 is needed by three packages, tool-1 by one.
    const e = engine(plan({ 'tool-1': [], 'x-1': ['tool-1'], 'lib-1': [], 'p-1': ['lib-1'], 'q-1': ['lib-1'], 'r-1': ['p-1'] }));
    e.begin(0);
    const jobs = starts(e.handle({ type: 'host-up', at: 0, host: host('localhost', 1) }));
    assert.deepEqual(jobs.map((j) => j.pkgname), ['lib-1']);
  });

  test('a failure marks its dependents indirect-failed, with every root cause', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': [], 'c-1': ['a-1', 'b-1'], 'd-1': ['c-1'], 'e-1': [] }));
    e.begin(0);
    const jobs = starts(e.handle({ type: 'host-up', at: 0, host: host('localhost', 3) }));
    assert.equal(jobs.length, 3);
    const byName = new Map(jobs.map((j) => [j.pkgname, j.id]));
    e.handle({ type: 'job-ended', at: 1, job: byName.get('a-1')!, outcome: { kind: 'failed', phase: 'build', error: 'compiler error', phases: [] } });
    assert.equal(e.statusOf('c-1'), 'indirect-failed');
    assert.equal(e.statusOf('d-1'), 'indirect-failed');
    assert.deepEqual(e.blockers('d-1'), ['a-1']);
    e.handle({ type: 'job-ended', at: 2, job: byName.get('b-1')!, outcome: { kind: 'failed', phase: 'install', error: 'other', phases: [] } });
    assert.deepEqual(e.blockers('d-1'), ['a-1', 'b-1']);
    const end = e.handle({ type: 'job-ended', at: 3, job: byName.get('e-1')!, outcome: built });
    assert.equal(end.at(-1)?.type, 'finished');
    assert.equal(e.snapshot().byStatus['indirect-failed'], 2);
  });

  test('prefailed packages make their dependents indirect-prefailed at once', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': ['a-1'], 'c-1': ['b-1'] }, { 'a-1': { status: 'prefailed', reason: 'skip: not for Linux' } }));
    const cmds = e.begin(0);
    assert.equal(e.statusOf('c-1'), 'indirect-prefailed');
    assert.deepEqual(e.blockers('c-1'), ['a-1']);
    assert.equal(cmds.at(-1)?.type, 'finished', 'nothing is left to build');
  });

  test('never two jobs of one pkgpath at once', () => {
    const entries = plan({ 'py27-x-1': [], 'py39-x-1': [], 'y-1': [] }, {}, { 'py27-x-1': 'lang/x', 'py39-x-1': 'lang/x' });
    const e = engine(entries);
    e.begin(0);
    const jobs = starts(e.handle({ type: 'host-up', at: 0, host: host('localhost', 3) }));
    assert.deepEqual(jobs.map((j) => j.pkgpath).sort(), ['cat/y', 'lang/x']);
    const first = jobs.find((j) => j.pkgpath === 'lang/x')!;
    const next = starts(e.handle({ type: 'job-ended', at: 1, job: first.id, outcome: built }));
    assert.deepEqual(next.map((j) => j.pkgpath), ['lang/x']);
  });

  test('a lost host puts its jobs back in the queue, not into failed', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': [] }));
    e.begin(0);
    e.handle({ type: 'host-up', at: 0, host: host('far', 2, 2) });
    const cmds = e.handle({ type: 'host-down', at: 5, host: 'far', reason: 'Timeout, server not responding' });
    assert.equal(cmds.filter((c) => c.type === 'requeue').length, 2);
    assert.equal(e.snapshot().byStatus.open, 2);
    const again = starts(e.handle({ type: 'host-up', at: 9, host: host('localhost', 2) }));
    assert.equal(again.length, 2);
    assert.ok(again.every((j) => j.host === 'localhost' && j.attempt === 1));
  });

  test('a late result of a requeued job is ignored', () => {
    const e = engine(plan({ 'a-1': [] }));
    e.begin(0);
    const [job] = starts(e.handle({ type: 'host-up', at: 0, host: host('far', 1) }));
    e.handle({ type: 'host-down', at: 1, host: 'far', reason: 'cut' });
    assert.deepEqual(e.handle({ type: 'job-ended', at: 2, job: job!.id, outcome: built }), []);
    assert.equal(e.statusOf('a-1'), 'open');
  });

  test('infrastructure failures are retried a bounded number of times once they follow the package from host to host', () => {
    const e = engine(plan({ 'a-1': [] }));
    e.begin(0);
    // One failure on h1 (the host's, maybe), then the package fails on h2 as well: from then on it is charged.
    const [first] = starts(e.handle({ type: 'host-up', at: 0, host: host('h1', 1) }));
    e.handle({ type: 'drain', at: 0, host: 'h1' });
    e.handle({ type: 'host-up', at: 0, host: host('h2', 1) });
    let [job] = starts(e.handle({ type: 'job-ended', at: 1, job: first!.id, outcome: { kind: 'infrastructure', reason: 'bwrap: setup failed' } }));
    for (let attempt = 2; attempt < 3; attempt++) {
      assert.equal(job!.attempt, attempt);
      assert.equal(job!.host, 'h2');
      [job] = starts(e.handle({ type: 'job-ended', at: attempt, job: job!.id, outcome: { kind: 'infrastructure', reason: 'bwrap: setup failed' } }));
    }
    const end = e.handle({ type: 'job-ended', at: 9, job: job!.id, outcome: { kind: 'infrastructure', reason: 'bwrap: setup failed' } });
    assert.equal(e.statusOf('a-1'), 'failed');
    assert.equal(end.at(-1)?.type, 'finished');
  });

  test('retry of a fixed port reopens it and what it blocked', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': ['a-1'] }));
    e.begin(0);
    const [job] = starts(e.handle({ type: 'host-up', at: 0, host: host('localhost', 1) }));
    e.handle({ type: 'drain', at: 0, host: 'other' });
    e.handle({ type: 'job-ended', at: 1, job: job!.id, outcome: { kind: 'failed', phase: 'build', error: 'compiler error', phases: [] } });
    assert.equal(e.finished, true);
    const fresh = engine(plan({ 'a-1': [], 'b-1': ['a-1'] }, { 'a-1': { status: 'failed', phase: 'build', error: 'compiler error' } }));
    fresh.begin(0);
    fresh.handle({ type: 'host-up', at: 0, host: host('localhost', 1) });
    assert.equal(fresh.statusOf('b-1'), 'indirect-failed');
  });

  test('retry while the build runs', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': ['a-1'], 'slow-1': [] }));
    e.begin(0);
    const jobs = starts(e.handle({ type: 'host-up', at: 0, host: host('localhost', 2) }));
    const a = jobs.find((j) => j.pkgname === 'a-1')!;
    e.handle({ type: 'job-ended', at: 1, job: a.id, outcome: { kind: 'failed', phase: 'build', error: 'x', phases: [] } });
    assert.equal(e.statusOf('b-1'), 'indirect-failed');
    const again = starts(e.handle({ type: 'retry', at: 2, pkgpath: 'cat/a' }));
    assert.deepEqual(again.map((j) => j.pkgname), ['a-1']);
    assert.equal(e.statusOf('b-1'), 'open');
    const next = starts(e.handle({ type: 'job-ended', at: 3, job: again[0]!.id, outcome: built }));
    assert.deepEqual(next.map((j) => j.pkgname), ['b-1']);
  });

  test('drain: no new jobs, and the run stops once the running ones end', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': ['a-1'] }));
    e.begin(0);
    const [job] = starts(e.handle({ type: 'host-up', at: 0, host: host('localhost', 1) }));
    e.handle({ type: 'drain', at: 1 });
    const cmds = e.handle({ type: 'job-ended', at: 2, job: job!.id, outcome: built });
    assert.equal(starts(cmds).length, 0);
    assert.deepEqual(cmds.at(-1), { type: 'finished', at: 2, result: 'stopped' });
  });

  test('a dependency cycle is prefailed, naming its members; its dependents are indirect-prefailed', () => {
    const e = engine(plan({ 'a-1': ['b-1'], 'b-1': ['a-1'], 'c-1': ['a-1'], 'd-1': [] }));
    const cmds = e.begin(0);
    const reasons = cmds.flatMap((c) => (c.type === 'status' && c.status === 'prefailed' ? [c.reason] : []));
    assert.deepEqual(reasons, ['dependency cycle: a-1 -> b-1', 'dependency cycle: a-1 -> b-1']);
    assert.equal(e.statusOf('c-1'), 'indirect-prefailed');
    assert.equal(e.statusOf('d-1'), 'open');
  });

  test('with no host yet, the run waits instead of finishing', () => {
    const e = engine(plan({ 'a-1': [] }));
    assert.equal(e.begin(0).some((c) => c.type === 'finished'), false);
  });
});
