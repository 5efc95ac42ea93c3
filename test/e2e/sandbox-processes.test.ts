// A job's processes end with the job: on timeout and on cancel, checked by
// pid, including processes that left the process group (setsid) or ignore
// SIGTERM.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { buildPackage } from '../../src/sandbox/builder.js';
import { phaseText } from '../support/job-logs.js';
import type { Workspace } from './sandbox-fixture.js';
import { gone, workspace } from './sandbox-fixture.js';

const SLEEPER = [
  'PKGNAME=sleeper-1.0',
  'build() {',
  '  sleep 1001 &',
  '  (setsid sleep 1002 &)',
  "  (trap '' TERM; exec sleep 1003) &",
  '  echo sleeping',
  '  sleep 1004',
  '}',
].join('\n');

/** Every process below `root`, pid to command line, read from /proc. */
function descendants(root: number): Map<number, string> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const found = new Map<number, string>();
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    try {
      found.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
    } catch {
      continue;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

async function untilSleeping(ws: Workspace): Promise<Map<number, string>> {
  const log = join(ws.logs, 'sleeper-1.0.log');
  for (let i = 0; i < 200; i++) {
    if (existsSync(log) && (phaseText(readFileSync(log), 'build') ?? '').includes('sleeping')) {
      const found = descendants(process.pid);
      if ([1001, 1002, 1003, 1004].every((n) => [...found.values()].includes(`sleep ${n}`))) return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the sleeper never started its sleeps');
}

void test('a job past its timeout is killed with every process it started, and fails as timeout in its phase', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('misc/sleeper', SLEEPER);
  const started = Date.now();
  const pending = buildPackage(ws.job('misc/sleeper', 'sleeper-1.0', { timeoutS: 2 }), { signal: new AbortController().signal, scratch: ws.scratch });
  const seen = await untilSleeping(ws);
  const report = await pending;
  const took = (Date.now() - started) / 1000;

  assert.equal(report.outcome.kind, 'failed');
  assert.equal(report.outcome.kind === 'failed' && report.outcome.phase, 'build');
  assert.equal(report.outcome.kind === 'failed' && report.outcome.error, 'timeout');
  assert.ok(took >= 2 && took < 4, `returned after ${took} s`);
  for (const [pid, command] of seen) assert.ok(gone(pid), `${pid} (${command}) is still running`);
  assert.deepEqual(readdirSync(ws.scratch), []);
  assert.match(readFileSync(join(ws.logs, 'sleeper-1.0.log'), 'utf8'), /===> kiln: build stopped after [\d.]+ s\n===> kiln: timeout: the job's 2 s ran out in build\n$/);
});

void test('aborting the signal kills the job at once, leaves no process behind, and reports it cancelled', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('misc/sleeper', SLEEPER);
  const controller = new AbortController();
  const pending = buildPackage(ws.job('misc/sleeper', 'sleeper-1.0', { timeoutS: 600 }), { signal: controller.signal, scratch: ws.scratch });
  const seen = await untilSleeping(ws);
  assert.ok(seen.size >= 6, `saw ${seen.size} processes`);
  const abortedAt = Date.now();
  controller.abort(new Error('the build was interrupted'));
  const report = await pending;

  assert.ok(Date.now() - abortedAt < 2000, `took ${Date.now() - abortedAt} ms after the abort`);
  assert.deepEqual(report.outcome, { kind: 'infrastructure', reason: 'cancelled: the build was interrupted' });
  for (const [pid, command] of seen) assert.ok(gone(pid), `${pid} (${command}) is still running`);
  assert.deepEqual(readdirSync(ws.scratch), []);
  assert.ok(phaseText(readFileSync(join(ws.logs, 'sleeper-1.0.log')), 'build') !== undefined, 'the logs are kept');
  assert.match(readFileSync(join(ws.logs, 'sleeper-1.0.log'), 'utf8'), /===> kiln: cancelled: the build was interrupted\n$/);
});
