import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Job } from '../core/engine/engine-events.js';
import type { JobSetup } from './job-hooks.js';
import { StuckWatch } from './stuck-watch.js';

void test('a job stopped as stuck fails in the phase it was in, keeping the phases it went through (build.log and history are not left with "()")', async () => {
  let now = 100;
  const watch = new StuckWatch(() => 5, () => now, 0.01);
  const job: Job = { id: 1, pkgname: 'silent-1.0', pkgpath: 'test/silent', host: 'localhost', slot: 0, makeJobs: 1, attempt: 1, startedAt: 100 };
  let stopped: string | undefined;
  watch.started(job, {} as JobSetup, (reason) => { stopped = reason; });
  watch.phase(job, 'depends');
  now = 101;
  watch.phase(job, 'build');
  now = 107;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.match(stopped ?? '', /^stuck: its log has not grown for 6 s \(limit 5 s\)/);
  const outcome = watch.outcome(job, { kind: 'infrastructure', reason: 'stopped' });
  watch.ended(job);
  assert.deepEqual(outcome, {
    kind: 'failed', phase: 'build', error: 'stuck',
    phases: [{ phase: 'depends', wallS: 1, cpuS: 0 }, { phase: 'build', wallS: 6, cpuS: 0 }],
  });
});
