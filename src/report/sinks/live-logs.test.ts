import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type { Job } from '../../core/engine/engine-events.js';
import { measuredProgress } from './live-logs.js';
import { RunViewState } from '../view/run-view-state.js';

const job = (id: number, pkgname: string, startedAt: number): Job => ({
  id, pkgname, pkgpath: `misc/${pkgname}`, host: 'localhost', slot: id, makeJobs: 1, attempt: 1, startedAt,
});

void test('a reader measures running logs: a log that grows is not stuck, one still for longer than its limit is, with how long', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-live-logs-'));
  try {
    const now = Date.now() / 1000;
    const state = new RunViewState();
    state.emit({ type: 'run-started', at: now - 300, run: '1', tree: '/t', logdir: dir, packages: '/p', resumed: false });
    for (const [id, name] of [[1, 'grows'], [2, 'still'], [3, 'notyet']] as const) {
      state.emit({ type: 'job-started', at: now - 200, job: job(id, name, now - 200), expectedS: 300, lastLogBytes: 4000, log: join(dir, `${name}.log`), stuckAfterS: 60 });
    }
    writeFileSync(join(dir, 'grows.log'), 'x'.repeat(1000));
    writeFileSync(join(dir, 'still.log'), 'y'.repeat(500));
    utimesSync(join(dir, 'grows.log'), now - 1, now - 1);
    utimesSync(join(dir, 'still.log'), now - 90, now - 90);

    for (const event of measuredProgress(state, now)) state.emit(event);
    const running = new Map(state.view(now, { tables: false }).running.map((r) => [r.pkgname, r]));
    assert.equal(running.get('grows')?.logBytes, 1000);
    assert.equal(running.get('grows')?.logPercent, 25);
    assert.equal(running.get('grows')?.stuck, false);
    assert.equal(running.get('still')?.logBytes, 500);
    assert.equal(running.get('still')?.stuck, true);
    assert.ok(Math.abs(running.get('still')!.idleS - 90) < 2, `still for about 90 s: ${running.get('still')?.idleS}`);
    // No log yet: nothing written since it started, 200 s ago.
    assert.equal(running.get('notyet')?.logBytes, 0);
    assert.equal(running.get('notyet')?.stuck, true);

    // Measured again with nothing changed: no new event (the page gets no update for nothing).
    assert.deepEqual(measuredProgress(state, now + 1).map((e) => e.type === 'job-progress' && e.job), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
