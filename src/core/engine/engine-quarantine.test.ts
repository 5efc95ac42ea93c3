// The engine charges infrastructure failures to the host first: a host that
// fails job after job is quarantined, its jobs go elsewhere, and no package
// fails for it; a package that fails on good hosts still fails.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { Engine, type PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { policySet } from '../policies/policy-set.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'estimate' };
const built = { kind: 'built', phases: [] } as const;
const lost = { kind: 'infrastructure', reason: 'bwrap: Creating new namespace failed' } as const;

function engine(names: readonly string[]): Engine {
  const plan: PlanEntry[] = names.map((pkgname) => ({
    pkgname, pkgpath: `cat/${pkgname}`, deps: [], initial: { status: 'open' }, estimate, makeJobsSafe: true,
  }));
  return new Engine(plan, { ...policySet('kiln', true), maxAttempts: 3 });
}

const spec = (name: string, slots = 1): HostSpec => ({ name, slots, speed: 1, cores: slots });
const jobsOf = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const hostCommands = (cmds: EngineCommand[]): EngineCommand[] => cmds.filter((c) => c.type === 'host' && c.state === 'quarantined');

/** Runs until nothing starts: every job on `bad` ends for infrastructure, every other builds. */
function runAll(e: Engine, first: EngineCommand[], bad: string): { out: EngineCommand[]; at: number } {
  const out = [...first];
  const queue = jobsOf(first);
  let at = 0;
  while (queue.length > 0) {
    const job = queue.shift()!;
    const more = e.handle({ type: 'job-ended', at: ++at, job: job.id, outcome: job.host === bad ? lost : built });
    out.push(...more);
    queue.push(...jobsOf(more));
  }
  return { out, at };
}

void test('a host that fails every job is quarantined after three, for a minute; the other host builds everything and no package fails', () => {
  const e = engine(['a', 'b', 'c', 'd', 'e', 'f']);
  const first = e.begin(0, [spec('bad', 2), spec('good')]);
  const { out } = runAll(e, first, 'bad');
  const quarantined = hostCommands(out);
  assert.equal(quarantined.length, 1);
  assert.deepEqual({ ...quarantined[0], at: 0, until: 0 }, {
    type: 'host', at: 0, host: 'bad', state: 'quarantined', until: 0,
    reason: "3 jobs in a row failed there for the host's reasons; the last: bwrap: Creating new namespace failed",
  });
  const q = quarantined[0] as Extract<EngineCommand, { type: 'host' }>;
  assert.equal(q.until! - q.at, 60);
  assert.equal(e.snapshot().byStatus.done, 6);
  assert.equal(e.snapshot().byStatus.failed, 0);
  assert.ok(e.finished);
  assert.equal(e.hostStates().find((h) => h.name === 'bad')?.state, 'quarantined');
});

void test('a package retried on the bad host alone is not charged for it: the host is quarantined before the package fails', () => {
  const e = engine(['a']);
  let jobs = jobsOf(e.begin(0, [spec('bad')]));
  const out: EngineCommand[] = [];
  for (let at = 1; jobs.length > 0; at++) {
    const more = e.handle({ type: 'job-ended', at, job: jobs[0]!.id, outcome: lost });
    out.push(...more);
    jobs = jobsOf(more);
  }
  assert.equal(e.statusOf('a'), 'open', 'waits for a host');
  assert.equal(hostCommands(out).length, 1);
  assert.equal(e.finished, false);
  const back = jobsOf(e.handle({ type: 'host-up', at: 100, host: spec('bad') }));
  assert.equal(back[0]?.attempt, 1, 'its attempts were given back');
  e.handle({ type: 'job-ended', at: 101, job: back[0].id, outcome: built });
  assert.equal(e.statusOf('a'), 'done');
});

void test('a package that fails for infrastructure on a second host is the suspect: it fails after three there; the first host took the blame once', () => {
  const e = engine(['a', 'b', 'c', 'd']);
  let out = e.begin(0, [spec('h1'), spec('h2')]);
  let at = 0;
  const running = jobsOf(out);
  while (running.length > 0) {
    const job = running.shift()!;
    out = e.handle({ type: 'job-ended', at: ++at, job: job.id, outcome: job.pkgname === 'a' ? lost : built });
    running.push(...jobsOf(out));
  }
  assert.equal(e.statusOf('a'), 'failed');
  for (const p of ['b', 'c', 'd']) assert.equal(e.statusOf(p), 'done');
  assert.equal(e.hostStates().filter((h) => h.state === 'quarantined').length, 1, 'one host quarantined, the other never blamed');
  assert.ok(e.finished);
});

void test('a job that ends for infrastructure on a host already quarantined is not charged to anyone', () => {
  const e = engine(['a', 'b', 'c', 'd']);
  const jobs = jobsOf(e.begin(0, [spec('bad', 4)]));
  assert.equal(jobs.length, 4);
  const out = jobs.flatMap((job, i) => e.handle({ type: 'job-ended', at: i + 1, job: job.id, outcome: lost }));
  assert.equal(hostCommands(out).length, 1, 'quarantined once, by the third');
  const again = jobsOf(e.handle({ type: 'host-up', at: 100, host: spec('bad', 4) }));
  assert.ok(again.length > 0);
  assert.ok(again.every((j) => j.attempt === 1), 'the fourth, ended after the quarantine, was not charged either');
  assert.ok(jobs.every((j) => e.statusOf(j.pkgname) !== 'failed'));
});
