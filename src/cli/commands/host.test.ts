// `kiln host add`: one checked hosts file line appended to the run
// directory's hosts.added, nothing written for a bad or repeated line.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { UsageError, UserError } from '../command.js';
import { commandIO } from '../../../test/support/command-io.js';
import { RunStore } from '../../store/run-store.js';
import { hostCommand } from './host.js';


void test('kiln host add appends one checked line; a bad line, a second line for the same host or no run is refused', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'kiln-host-add-'));
  try {
    const out: string[] = [];
    await assert.rejects(async () => hostCommand.run(['add', '--logdir', logdir, 'b@10.0.0.2'], commandIO(logdir, out)), (e) => e instanceof UserError && /no kiln run in/.test(e.message));
    const store = RunStore.open(logdir);
    store.beginRun(0, JSON.stringify(['--tree', 't']));
    store.close();
    await assert.rejects(async () => hostCommand.run(['add', '--logdir', logdir, 'localhost jobs=3'], commandIO(logdir, out)), /localhost is already a host of the build/);
    assert.equal(await hostCommand.run(['add', '--logdir', logdir, 'b@10.0.0.2', 'jobs=4', 'sf=2'], commandIO(logdir, out)), 0);
    assert.equal(readFileSync(join(logdir, 'hosts.added'), 'utf8'), 'b@10.0.0.2 jobs=4 sf=2\n');
    assert.match(out.join(''), /hosts\.added: b@10\.0\.0\.2 joins the running build/);
    await assert.rejects(async () => hostCommand.run(['add', '--logdir', logdir, 'b@10.0.0.2 jobs=1'], commandIO(logdir, out)), /already in/);
    await assert.rejects(async () => hostCommand.run(['add', '--logdir', logdir, 'c jobs=lots'], commandIO(logdir, out)), /the line:1: jobs must be a whole number/);
    await assert.rejects(async () => hostCommand.run(['add', '--logdir', logdir, '-oProxyCommand=x'], commandIO(logdir, out)), UsageError);
    await assert.rejects(async () => hostCommand.run(['add', '--logdir', logdir, 'STARTUP=/x'], commandIO(logdir, out)), /one host line/);
    await assert.rejects(async () => hostCommand.run(['remove', '--logdir', logdir, 'c'], commandIO(logdir, out)), (e) => e instanceof UsageError);
    assert.equal(readFileSync(join(logdir, 'hosts.added'), 'utf8'), 'b@10.0.0.2 jobs=4 sf=2\n', 'only the good line');
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});
