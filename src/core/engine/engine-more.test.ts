// The engine while the scan goes on: packages come in batches, builds start
// on the first ones, and the run ends only once the plan is complete.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { Engine, type InitialState, type PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { policySet } from '../policies/policy-set.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'estimate' };

function plan(spec: Record<string, string[]>, initial: Record<string, InitialState> = {}): PlanEntry[] {
  return Object.entries(spec).map(([pkgname, deps]) => ({
    pkgname, pkgpath: `cat/${pkgname.replace(/-[0-9].*$/, '')}`, deps,
    initial: initial[pkgname] ?? { status: 'open' }, estimate, makeJobsSafe: true,
  }));
}

function engine(entries: PlanEntry[]): Engine {
  return new Engine(entries, { ...policySet('kiln', true), maxAttempts: 3 }, 1, { more: true });
}

const host: HostSpec = { name: 'localhost', slots: 2, speed: 1, cores: 2 };
const starts = (cmds: EngineCommand[]): string[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job.pkgname] : []));
const jobsOf = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const finished = (cmds: EngineCommand[]): EngineCommand | undefined => cmds.find((c) => c.type === 'finished');
const built = { kind: 'built', phases: [] } as const;

describe('engine with packages still to come', () => {
  test('builds what it has, waits for more, and finishes only when the plan is complete', () => {
    const e = engine(plan({ 'a-1': [] }));
    e.begin(0);
    const [a] = jobsOf(e.handle({ type: 'host-up', at: 0, host }));
    assert.equal(a?.pkgname, 'a-1');
    const quiet = e.handle({ type: 'job-ended', at: 1, job: a.id, outcome: built });
    assert.equal(finished(quiet), undefined, 'nothing runs, but the scan goes on');
    const next = e.handle({ type: 'packages-added', at: 2, entries: plan({ 'b-1': ['a-1'], 'c-1': ['b-1'], 'd-1': [] }) });
    assert.deepEqual(starts(next).sort(), ['b-1', 'd-1'], 'b needs only a, built already');
    const jobs = jobsOf(next);
    e.handle({ type: 'job-ended', at: 3, job: jobs[1]!.id, outcome: built });
    const c = jobsOf(e.handle({ type: 'job-ended', at: 3, job: jobs[0]!.id, outcome: built }));
    assert.deepEqual(c.map((j) => j.pkgname), ['c-1']);
    assert.equal(finished(e.handle({ type: 'job-ended', at: 4, job: c[0]!.id, outcome: built })), undefined);
    assert.deepEqual(finished(e.handle({ type: 'plan-complete', at: 5 })), { type: 'finished', at: 5, result: 'complete' });
    assert.equal(e.snapshot().byStatus.done, 4);
    assert.equal(e.snapshot().total, 4);
  });

  test('a failure reaches packages that come later, through packages already blocked by it', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': ['a-1'] }));
    e.begin(0);
    const [a] = jobsOf(e.handle({ type: 'host-up', at: 0, host }));
    e.handle({ type: 'job-ended', at: 1, job: a!.id, outcome: { kind: 'failed', phase: 'build', error: 'compiler error', phases: [] } });
    assert.equal(e.statusOf('b-1'), 'indirect-failed');
    const out = e.handle({ type: 'packages-added', at: 2, entries: plan({ 'c-1': ['a-1'], 'd-1': ['b-1'], 'e-1': ['d-1'] }) });
    for (const name of ['c-1', 'd-1', 'e-1']) {
      assert.equal(e.statusOf(name), 'indirect-failed', name);
      assert.deepEqual(e.blockers(name), ['a-1'], name);
    }
    const changes = out.flatMap((c) => (c.type === 'status' ? [c.pkgname] : []));
    assert.deepEqual(changes.sort(), ['c-1', 'd-1', 'e-1'], 'what was blocked before is not told again');
  });

  test('packages added with their own states: up to date, prefailed, and a cycle among them', () => {
    const e = engine(plan({ 'a-1': [] }));
    e.begin(0);
    e.handle({ type: 'host-up', at: 0, host });
    e.handle({
      type: 'packages-added', at: 1,
      entries: plan({ 'u-1': [], 'p-1': [], 'q-1': ['p-1'], 'x-1': ['y-1'], 'y-1': ['x-1'] }, { 'u-1': { status: 'up-to-date' }, 'p-1': { status: 'prefailed', reason: 'PKG_FAIL_REASON' } }),
    });
    assert.equal(e.statusOf('u-1'), 'up-to-date');
    assert.equal(e.statusOf('q-1'), 'indirect-prefailed');
    assert.equal(e.statusOf('x-1'), 'prefailed');
    assert.equal(e.statusOf('y-1'), 'prefailed');
    assert.equal(e.statusOf('a-1'), 'building');
  });

  test('a replan: nothing more starts, and it finishes stopped once what runs has ended', () => {
    const e = engine(plan({ 'a-1': [], 'b-1': [], 'c-1': [] }));
    e.begin(0);
    const jobs = jobsOf(e.handle({ type: 'host-up', at: 0, host }));
    assert.equal(jobs.length, 2);
    assert.equal(finished(e.handle({ type: 'plan-complete', at: 1, replan: true })), undefined);
    const first = e.handle({ type: 'job-ended', at: 2, job: jobs[0]!.id, outcome: built });
    assert.deepEqual(starts(first), [], 'the third waits for the new plan');
    assert.deepEqual(finished(e.handle({ type: 'job-ended', at: 3, job: jobs[1]!.id, outcome: built })), { type: 'finished', at: 3, result: 'stopped' });
  });
});
