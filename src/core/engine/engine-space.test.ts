// The engine when the coordinator's disks are short of space: it starts
// nothing, fails nothing for it, and goes on once space is back.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { Engine, type PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { policySet } from '../policies/policy-set.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'estimate' };
const entry = (pkgname: string): PlanEntry => ({
  pkgname, pkgpath: `cat/${pkgname}`, deps: [], initial: { status: 'open' }, estimate, makeJobsSafe: true,
});
const host: HostSpec = { name: 'localhost', slots: 1, speed: 1, cores: 1 };
const jobsOf = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const short = { type: 'space-short', at: 1, where: '/packages', reason: '/packages is short' } as const;
const ok = { type: 'space-ok', at: 9, where: '/packages', reason: '/packages has room' } as const;

test('a full repository: nothing starts, a job that ran out of space is requeued without counting, and all goes on once space is back', () => {
  const e = new Engine([entry('a'), entry('b')], { ...policySet('kiln', true), maxAttempts: 1 });
  e.begin(0);
  const [a] = jobsOf(e.handle({ type: 'host-up', at: 0, host }));
  assert.deepEqual(e.handle(short).filter((c) => c.type === 'space'), [{ type: 'space', at: 1, where: '/packages', short: true, reason: '/packages is short' }]);
  assert.deepEqual(e.handle({ ...short, at: 2 }), [], 'told twice, said once');
  const ended = e.handle({ type: 'job-ended', at: 3, job: a!.id, outcome: { kind: 'infrastructure', reason: 'ENOSPC', full: '/packages/All' } });
  assert.deepEqual(jobsOf(ended), [], 'nothing starts, though a slot is free');
  assert.equal(e.statusOf(a!.pkgname), 'open', 'with one attempt allowed, the one that ran out of space did not count');
  assert.equal(e.finished, false);
  const resumed = e.handle(ok);
  assert.deepEqual(resumed.find((c) => c.type === 'space'), { type: 'space', at: 9, where: '/packages', short: false, reason: '/packages has room' });
  const [again] = jobsOf(resumed);
  assert.equal(again?.attempt, 1);
  const [b] = jobsOf(e.handle({ type: 'job-ended', at: 10, job: again.id, outcome: { kind: 'built', phases: [] } }));
  const last = e.handle({ type: 'job-ended', at: 11, job: b!.id, outcome: { kind: 'infrastructure', reason: 'agent crashed' } });
  assert.equal(e.statusOf(b!.pkgname), 'failed', 'any other infrastructure failure counts');
  assert.equal(last.at(-1)?.type, 'finished');
});
