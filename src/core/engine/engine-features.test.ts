// Host features and classes in the engine: a job that requires features
// goes only to hosts offering them, a mandatory host takes only jobs that
// need its features, neither class starves the other, and the engine says
// why a job waits when no host serves it.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { formatWaitReason } from './engine-why.js';
import { Engine, type PlanEntry } from './engine.js';
import { parseFeatureList, serves, whyNoHostServes } from './host-features.js';
import type { Estimate, HostSpec } from '../model.js';
import { policySet } from '../policies/policy-set.js';

const estimate = (wallS: number): Estimate => ({ wallS, cpuS: wallS, buildWallS: wallS, buildCpuS: wallS, makeJobs: 1, source: 'history' });
const entry = (name: string, features?: string[], wallS = 10, deps: string[] = []): PlanEntry => ({
  pkgname: `${name}-1`, pkgpath: `c/${name}`, deps: deps.map((d) => `${d}-1`), initial: { status: 'open' }, estimate: estimate(wallS),
  makeJobsSafe: false, ...(features && { features }),
});
const engine = (plan: PlanEntry[]): Engine => new Engine(plan, { ...policySet('kiln', true), maxAttempts: 3 });
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const built = { kind: 'built', phases: [] } as const;
const plain: HostSpec = { name: 'plain', slots: 1, speed: 1, cores: 1 };
const big: HostSpec = { name: 'big', slots: 1, speed: 1, cores: 1, features: ['big-parallel'], mandatory: ['big-parallel'] };
const why = (e: Engine, at: number, pkgname: string): string => {
  const reason = e.waitReasons(at, pkgname).get(pkgname);
  return reason === undefined ? 'not waiting' : formatWaitReason(reason);
};

/** Runs the engine to its end, each job taking its estimate; every job started, in order. */
function runAll(e: Engine, hosts: HostSpec[]): Job[] {
  const all: Job[] = [];
  let at = 0;
  let running = starts(e.begin(0, hosts));
  all.push(...running);
  while (running.length > 0 && !e.finished) {
    const [first, ...rest] = running.sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
    at += 1;
    const next = starts(e.handle({ type: 'job-ended', at, job: first!.id, outcome: built }));
    all.push(...next);
    running = [...rest, ...next];
  }
  return all;
}

void test('a host serves a job when it offers every feature the job needs and the job needs every feature the host keeps', () => {
  assert.equal(serves({}, undefined), true);
  assert.equal(serves({}, ['kvm']), false);
  assert.equal(serves({ features: ['kvm', 'big-parallel'] }, ['kvm']), true);
  assert.equal(serves({ features: ['kvm'] }, undefined), true, 'features alone keep nothing back');
  assert.equal(serves({ mandatory: ['big-parallel'] }, undefined), false);
  assert.equal(serves({ mandatory: ['big-parallel'] }, ['big-parallel']), true, 'a mandatory feature is offered too');
  assert.equal(serves({ features: ['kvm'], mandatory: ['big-parallel'] }, ['kvm']), false);
  assert.deepEqual(whyNoHostServes([{ name: 'a', features: ['kvm'] }], ['big-parallel', 'kvm']), { missing: ['big-parallel'], reserved: [] });
  assert.deepEqual(whyNoHostServes([{ name: 'b', mandatory: ['big-parallel'] }], undefined), { missing: [], reserved: ['b'] });
  assert.equal(whyNoHostServes([{ name: 'a' }, { name: 'b', mandatory: ['x'] }], undefined), undefined);
  assert.deepEqual(parseFeatureList('big-parallel,kvm,kvm'), ['big-parallel', 'kvm']);
  assert.deepEqual(parseFeatureList('a,,b'), { problem: '"" is not a feature name (letters, digits, \'.\', \'_\', \'+\', \'-\')' });
});

void test('feature jobs run only on the feature host, the others never on the mandatory one, and both classes finish', () => {
  const plan = [
    ...Array.from({ length: 6 }, (_, i) => entry(`small${i}`)),
    entry('huge1', ['big-parallel'], 30), entry('huge2', ['big-parallel'], 5, ['small0']),
  ];
  const jobs = runAll(engine(plan), [plain, big]);
  assert.equal(jobs.length, plan.length, 'every package was started once');
  for (const job of jobs) assert.equal(job.host, job.pkgname.startsWith('huge') ? 'big' : 'plain', `${job.pkgname} on ${job.host}`);
});

void test('a free host of one class finds its job behind more than a round looks at of the other class', () => {
  // 100 ordinary jobs all more urgent than the one big job: the mandatory host still starts it at once.
  const plan = [...Array.from({ length: 100 }, (_, i) => entry(`small${i}`, undefined, 100)), entry('huge', ['big-parallel'], 1)];
  const first = starts(engine(plan).begin(0, [plain, big]));
  assert.deepEqual(first.map((j) => j.host).sort(), ['big', 'plain'], 'both hosts start a job');
  assert.equal(first.find((j) => j.host === 'big')?.pkgname, 'huge-1');
});

void test('a host offering a feature without keeping itself for it takes any job', () => {
  const open: HostSpec = { name: 'open', slots: 2, speed: 1, cores: 2, features: ['big-parallel'] };
  const jobs = runAll(engine([entry('a'), entry('b', ['big-parallel'])]), [open]);
  assert.deepEqual(jobs.map((j) => j.host), ['open', 'open']);
});

void test('why a job waits when no host serves it, and the engine names what can never start', () => {
  const e = engine([entry('a'), entry('huge', ['big-parallel']), entry('vm', ['kvm'])]);
  const first = starts(e.begin(0, [big]));
  assert.deepEqual(first.map((j) => j.pkgname), ['huge-1']);
  assert.equal(why(e, 1, 'a-1'), 'the hosts up keep themselves for jobs needing other features (mandatory= on big)');
  assert.equal(why(e, 1, 'vm-1'), 'no host with feature kvm takes jobs (hosts file features=)');
  assert.equal(e.unservedOnly(), undefined, 'a job runs: the run goes on');
  e.handle({ type: 'job-ended', at: 2, job: first[0]!.id, outcome: built });
  assert.deepEqual([...(e.unservedOnly() ?? [])].sort((x, y) => x.pkgname.localeCompare(y.pkgname)), [
    { pkgname: 'a-1', why: 'the hosts up keep themselves for jobs needing other features (mandatory= on big)' },
    { pkgname: 'vm-1', why: 'no host with feature kvm takes jobs (hosts file features=)' },
  ]);
  assert.equal(e.finished, false, 'the engine itself waits: a host may still join');
  const more = starts(e.handle({ type: 'host-up', at: 3, host: plain }));
  assert.deepEqual(more.map((j) => `${j.pkgname}@${j.host}`), ['a-1@plain']);
  assert.equal(e.unservedOnly(), undefined);
});

void test('a long job does not wait for a faster host that will never serve it: a mandatory host of another class is no host to wait for', () => {
  const fastBig: HostSpec = { ...big, speed: 4 };
  const slow: HostSpec = { ...plain, name: 'slow' };
  // The fast host is busy with a short big-parallel build; the long ordinary one would end sooner there, were it allowed.
  const e = engine([entry('bigjob', ['big-parallel'], 4), entry('long', undefined, 1000)]);
  const first = starts(e.begin(0, [fastBig, slow])).map((j) => [j.pkgname, j.host]);
  assert.deepEqual(first.sort(), [['bigjob-1', 'big'], ['long-1', 'slow']]);
});
