// `kiln status` on a run directory whose build has only just started: its
// store exists but has no tables yet. It says so, instead of an SQL error.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { RunStore } from '../../store/run-store.js';
import { UserError } from '../command.js';
import { commandIO } from '../../../test/support/command-io.js';
import { status } from './status.js';


void test('kiln status while the build is still making its store: a clear message; once made, the view', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'kiln-status-'));
  try {
    const out: string[] = [];
    writeFileSync(join(logdir, 'kiln.db'), '');
    await assert.rejects(async () => status.run(['--logdir', logdir, '--once'], commandIO(logdir, out)),
      (e) => e instanceof UserError && /no kiln run in .*still being made/.test(e.message));
    const store = RunStore.open(logdir);
    store.beginRun(1_700_000_000, '[]');
    store.close();
    assert.equal(await status.run(['--logdir', logdir, '--once'], commandIO(logdir, out)), 0);
    assert.match(out.join(''), /^kiln +running\nstarting$/m, 'a run that has begun and shows nothing yet');
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});
