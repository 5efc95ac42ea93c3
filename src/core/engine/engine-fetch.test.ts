import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job, StatusChange } from './engine-events.js';
import { Engine, type InitialState, type PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { fastestFreePlacement } from '../policies/placement-fastest.js';
import { pbulkPriority } from '../policies/priority-pbulk.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'estimate' };

/** `spec`: pkgname -> deps; names in `fetch` have distfiles. */
function engine(spec: Record<string, string[]>, fetch: string[], initial: Record<string, InitialState> = {}): Engine {
  const plan: PlanEntry[] = Object.entries(spec).map(([pkgname, deps]) => ({
    pkgname, pkgpath: `cat/${pkgname.replace(/-[0-9].*$/, '')}`, deps, initial: initial[pkgname] ?? { status: 'open' }, estimate,
    makeJobsSafe: true, ...(fetch.includes(pkgname) && { fetch: true }),
  }));
  return new Engine(plan, { priority: pbulkPriority, placement: fastestFreePlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
}

const host = (name: string, slots: number): HostSpec => ({ name, slots, speed: 1, cores: slots });
const starts = (cmds: EngineCommand[]): string[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job.pkgname] : []));
const jobOf = (cmds: EngineCommand[], name: string): Job => cmds.flatMap((c) => (c.type === 'start' && c.job.pkgname === name ? [c.job] : []))[0]!;
const built = { kind: 'built', phases: [] } as const;

void test('a package with distfiles starts only once they are ready; the others build meanwhile', () => {
  const e = engine({ 'a-1': [], 'b-1': [], 'c-1': ['a-1'] }, ['a-1', 'c-1']);
  const first = e.begin(0, [host('h', 4)]);
  assert.deepEqual(starts(first), ['b-1']);
  assert.deepEqual(starts(e.handle({ type: 'distfiles-ready', at: 1, pkgname: 'c-1' })), [], 'c-1 still waits for a-1');
  const second = e.handle({ type: 'distfiles-ready', at: 2, pkgname: 'a-1' });
  assert.deepEqual(starts(second), ['a-1']);
  assert.deepEqual(starts(e.handle({ type: 'job-ended', at: 3, job: jobOf(second, 'a-1').id, outcome: built })), ['c-1'], 'its distfiles came earlier');
});

void test('a fetch failure fails the package in phase fetch with the reason, and blocks its dependents', () => {
  const e = engine({ 'a-1': [], 'b-1': ['a-1'], 'x-1': [] }, ['a-1']);
  e.begin(0, [host('h', 2)]);
  const out = e.handle({ type: 'fetch-failed', at: 1, pkgname: 'a-1', reason: 'a-1.tar.gz could not be had: http://s/a-1.tar.gz: HTTP 404' });
  const change = out.find((c): c is StatusChange => c.type === 'status' && c.pkgname === 'a-1')!;
  assert.deepEqual([change.status, change.phase, change.error, change.reason], ['failed', 'fetch', 'fetch', 'a-1.tar.gz could not be had: http://s/a-1.tar.gz: HTTP 404']);
  assert.equal(e.statusOf('b-1'), 'indirect-failed');
  assert.deepEqual(e.blockers('b-1'), ['a-1']);
});

void test('a failure that comes before the package is ready fails it when its dependencies are built too', () => {
  const e = engine({ 'a-1': [], 'b-1': ['a-1'] }, ['b-1']);
  const out = e.begin(0, [host('h', 2)]);
  e.handle({ type: 'fetch-failed', at: 1, pkgname: 'b-1', reason: 'gone' });
  assert.equal(e.statusOf('b-1'), 'failed');
  const end = e.handle({ type: 'job-ended', at: 2, job: jobOf(out, 'a-1').id, outcome: built });
  assert.deepEqual(end.at(-1), { type: 'finished', at: 2, result: 'complete' });
});

void test('a package that may still be current is asked first: current, its fetch failure does not count', () => {
  const e = engine({ 'a-1': [] }, ['a-1'], { 'a-1': { status: 'open', recheck: true } });
  const out = e.begin(0, [host('h', 1)]);
  assert.ok(out.some((c) => c.type === 'check'));
  e.handle({ type: 'fetch-failed', at: 1, pkgname: 'a-1', reason: 'offline' });
  assert.equal(e.statusOf('a-1'), 'open');
  const end = e.handle({ type: 'checked', at: 2, pkgname: 'a-1', verdict: { status: 'up-to-date' } });
  assert.equal(e.statusOf('a-1'), 'up-to-date');
  assert.deepEqual(end.at(-1), { type: 'finished', at: 2, result: 'complete' });
});

void test('the engine does not finish while a ready package waits for its distfiles', () => {
  const e = engine({ 'a-1': [] }, ['a-1']);
  const out = e.begin(0, [host('h', 1)]);
  assert.ok(!out.some((c) => c.type === 'finished'));
  assert.equal(e.finished, false);
  const ready = e.handle({ type: 'distfiles-ready', at: 1, pkgname: 'a-1' });
  const end = e.handle({ type: 'job-ended', at: 2, job: jobOf(ready, 'a-1').id, outcome: built });
  assert.deepEqual(end.at(-1), { type: 'finished', at: 2, result: 'complete' });
});

void test('fetch urgency: distfiles of packages ready to build come first, each group by build priority', () => {
  // pbulk priority: more dependents, sooner. lib-1 has two dependents, b-1 none; c-1 waits for lib-1.
  const e = engine({ 'lib-1': [], 'c-1': ['lib-1'], 'd-1': ['lib-1'], 'b-1': [] }, ['lib-1', 'c-1', 'd-1', 'b-1']);
  e.begin(0, [host('h', 1)]);
  assert.deepEqual(['c-1', 'b-1', 'lib-1', 'd-1'].filter((name) => e.fetchUrgency(name).ready), ['b-1', 'lib-1'], 'the ready ones');
  assert.ok(e.fetchUrgency('lib-1').priority > e.fetchUrgency('b-1').priority, 'the most urgent of them first');
  assert.deepEqual(e.fetchUrgency('unknown-1'), { ready: false, priority: 0 }, 'a package not planned yet');
});

void test('fetch urgency: a package is soon when every dependency not built yet is building', () => {
  // c-1 needs a-1 and b-1; d-1 needs a-1 and x-1 (which waits for its distfiles); e-1 needs c-1.
  const e = engine({ 'a-1': [], 'b-1': [], 'x-1': [], 'c-1': ['a-1', 'b-1'], 'd-1': ['a-1', 'x-1'], 'e-1': ['c-1'] }, ['x-1', 'c-1', 'd-1', 'e-1']);
  const first = e.begin(0, [host('h', 2)]);
  assert.deepEqual(starts(first).sort(), ['a-1', 'b-1']);
  const soon = (): string[] => ['c-1', 'd-1', 'e-1'].filter((name) => e.fetchUrgency(name).soon === true);
  assert.deepEqual(soon(), ['c-1'], 'c-1 as both build; not d-1 while x-1 waits, nor e-1');
  e.handle({ type: 'job-ended', at: 1, job: jobOf(first, 'b-1').id, outcome: built });
  assert.deepEqual(soon(), ['c-1'], 'one built, one building');
  e.handle({ type: 'job-ended', at: 2, job: jobOf(first, 'a-1').id, outcome: built });
  assert.ok(e.fetchUrgency('c-1').ready && !e.fetchUrgency('c-1').soon, 'ready now, not soon');
});

void test('a package whose dependencies are built but whose distfiles are not there says so when asked why', () => {
  const e = engine({ 'a-1': [], 'b-1': [] }, ['a-1']);
  e.begin(0, [host('h', 4)]);
  const reason = e.waitReasons(1, 'a-1').get('a-1');
  assert.deepEqual(reason, { kind: 'distfiles' });
  e.handle({ type: 'distfiles-ready', at: 2, pkgname: 'a-1' });
  assert.equal(e.waitReasons(3, 'a-1').get('a-1'), undefined, 'started once they came');
});
