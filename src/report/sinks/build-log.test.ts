import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Job } from '../../core/engine/engine-events.js';
import type { RunEvent } from '../../core/run-events.js';
import { BuildLog } from './build-log.js';

const job = (id: number, pkgpath: string, host = 'b1'): Job => ({ id, pkgname: `${pkgpath.split('/')[1]!}-1`, pkgpath, host, slot: 0, makeJobs: 1, attempt: 1, startedAt: 100 });

function lines(events: RunEvent[]): string[] {
  const out: string[] = [];
  const log = new BuildLog((line) => out.push(line), () => undefined);
  for (const e of events) log.emit(e);
  return out;
}

const started = (j: Job): RunEvent => ({ type: 'job-started', at: j.startedAt, job: j, expectedS: 60, lastLogBytes: undefined });
const phase = (j: Job, at: number, name: string): RunEvent => ({ type: 'job-phase', at, job: j.id, phase: name });

void describe('build.log', () => {
  void test('a job that ends as infrastructure and goes back to the queue: lost, with why and the phases it reached', () => {
    const j = job(1, 'devel/a');
    assert.deepEqual(lines([
      started(j), phase(j, 100, 'depends'), phase(j, 104, 'build'),
      { type: 'job-progress', at: 110, job: 1, logBytes: 5000, idleS: 0 },
      { type: 'job-ended', at: 112, job: j, outcome: { kind: 'infrastructure', reason: 'sandbox setup failed' }, durationS: 12, log: '/l/a.log' },
      { type: 'status', change: { type: 'status', at: 112, pkgname: j.pkgname, status: 'open', job: 1, reason: 'sandbox setup failed' } },
    ]), ['devel/a b1 12.00 5000 (depends 4.00 build 8.00) lost "sandbox setup failed"']);
  });

  void test('the last attempt of an infrastructure failure is a failure: marked !', () => {
    const j = job(2, 'devel/b');
    assert.deepEqual(lines([
      started(j),
      { type: 'job-ended', at: 130, job: j, outcome: { kind: 'infrastructure', reason: 'disk full' }, durationS: 30, log: '/l/b.log', logBytes: 77 },
      { type: 'status', change: { type: 'status', at: 130, pkgname: j.pkgname, status: 'failed', job: 2, phase: 'infrastructure', error: 'infrastructure' } },
    ]), ['devel/b b1 30.00 77 () !']);
  });

  void test('jobs of a lost host, and jobs still running when the run is interrupted, get a line each; none twice', () => {
    const a = job(3, 'devel/c');
    const b = job(4, 'devel/d', 'b2');
    assert.deepEqual(lines([
      started(a), started(b),
      { type: 'host', at: 150, host: 'b1', state: 'down', reason: 'Connection reset by peer' },
      { type: 'status', change: { type: 'status', at: 150, pkgname: a.pkgname, status: 'open', job: 3, reason: 'host b1 lost: Connection reset by peer' } },
      { type: 'run-finished', at: 170, result: 'interrupted' },
    ]), [
      'devel/c b1 50.00 0 () lost "host b1 lost: Connection reset by peer"',
      'devel/d b2 70.00 0 () lost "run interrupted"',
    ]);
  });
});
