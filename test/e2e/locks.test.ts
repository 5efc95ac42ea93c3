// Port locks and the run directory's lock with the real `kiln build`: a
// failed port keeps its lock, and a person who fixes the port and runs
// `kiln retry` (or deletes the lock) sees the running build pick it up; a
// second build on the same run directory refuses; builds sharing a lock
// directory never build a port at the same time, and a stale lock of a
// dead kiln is taken away.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { recordOf } from '../../src/exec/agent/proc-identity.js';
import { formatLock } from '../../src/runtime/lock-file.js';
import { thisProcess } from '../../src/runtime/process-owner.js';
import { RunStore } from '../../src/store/run-store.js';
import { DIAMOND, makeDurableTree, setFailing } from '../support/durable-tree.js';
import { kiln, kilnBuild, outcomeOf, type RunDirs } from '../support/kiln-runs.js';
import { waitFor } from '../support/run-command.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-locks-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

async function fresh(ports = DIAMOND): Promise<RunDirs> {
  const dir = join(work, `case${++n}`);
  const d = { tree: join(dir, 'tree'), logdir: join(dir, 'logs'), packages: join(dir, 'packages') };
  await makeDurableTree(d.tree, ports);
  return d;
}

const lockOf = (d: RunDirs, pkgpath: string): string => join(d.lockdir ?? join(d.logdir, 'locks'), pkgpath);
const fieldsOf = (file: string): Record<string, string> =>
  Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

describe('a failed port and its lock', () => {
  test('the lock keeps the failure; kiln retry after a fix puts the port back into the running build', async () => {
    const d = await fresh({ ...DIAMOND, lone: { delay: 6 } });
    const running = kilnBuild(d);
    const lock = lockOf(d, 'cat/bad');
    assert.ok(await waitFor(() => existsSync(lock) && fieldsOf(lock)['status'] === 'failed', 20_000), 'bad failed and its lock says so');
    const fields = fieldsOf(lock);
    assert.deepEqual([fields['locked'], fields['pkgname'], fields['phase'], fields['error'], fields['logdir'], fields['run']],
      ['cat/bad', 'bad-1.0', 'build', 'compiler error', d.logdir, '1']);
    assert.match(fields['inputs'] ?? '', /^[0-9a-f]{64}$/);
    setFailing(d.tree, 'bad', false);
    const retry = await kiln(['retry', '--logdir', d.logdir, 'cat/bad']);
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /cat\/bad: removed .*bad-1\.0 \(failed in build: compiler error\); it will be built again/);
    const result = await running;
    assert.equal(result.code, 0, result.stdout);
    const outcome = outcomeOf(d);
    assert.equal(outcome.statuses['bad-1.0'], 'done');
    assert.equal(outcome.statuses['usesbad-1.0'], 'done', 'what it blocked is built too');
    assert.ok(existsSync(join(d.logdir, 'packages', 'bad-1.0.log.1')), 'the failed attempt\'s log is kept');
    assert.deepEqual(outcome.locks, []);
  });

  test('deleting the lock by hand does the same', async () => {
    const d = await fresh({ ...DIAMOND, lone: { delay: 6 } });
    const running = kilnBuild(d);
    const lock = lockOf(d, 'cat/bad');
    assert.ok(await waitFor(() => existsSync(lock) && fieldsOf(lock)['status'] === 'failed', 20_000));
    setFailing(d.tree, 'bad', false);
    rmSync(lock);
    assert.equal((await running).code, 0);
    assert.equal(outcomeOf(d).statuses['usesbad-1.0'], 'done');
  });

  test('kiln retry names what it cannot do', async () => {
    const d = await fresh();
    const none = await kiln(['retry', '--logdir', d.logdir, 'cat/a']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /cat\/a: no lock in .*locks: it has not failed there, or was retried already/);
    const bad = await kiln(['retry', '--logdir', d.logdir, 'nonsense']);
    assert.equal(bad.code, 2);
    mkdirSync(join(d.logdir, 'locks', 'cat'), { recursive: true });
    writeFileSync(lockOf(d, 'cat/a'), formatLock([['locked', 'cat/a'], ['status', 'building']], thisProcess(), Date.now() / 1000));
    const busy = await kiln(['retry', '--logdir', d.logdir, 'cat/a']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /cat\/a: is being built now by kiln pid \d+/);
  });
});

describe('one build per run directory', () => {
  test('a second kiln build on the same run directory refuses, naming the first', async () => {
    const d = await fresh({ a: { delay: 3 } });
    const first = kilnBuild(d);
    assert.ok(await waitFor(() => existsSync(join(d.logdir, 'kiln.lock')), 10_000));
    const second = await kilnBuild(d);
    assert.equal(second.code, 4, 'a run directory in use is an unusable input');
    assert.match(second.stderr, /is in use by kiln pid \d+ on .*: wait for it to end, drain it with kiln stop --logdir/);
    assert.equal((await first).code, 0);
    assert.equal(existsSync(join(d.logdir, 'kiln.lock')), false, 'released at the end');
  });
});

describe('builds sharing a lock directory', () => {
  test('two runs on one repository build each port once, never the same port at once', async () => {
    const ports = { a: { delay: 0.5 }, b: { deps: ['a'], delay: 0.5 }, c: { deps: ['a'], delay: 0.5 }, d: { deps: ['b', 'c'], delay: 0.5 }, e: { delay: 0.5 } };
    const one = await fresh(ports);
    const lockdir = join(work, `shared${n}`);
    const runs: RunDirs[] = [
      { ...one, lockdir },
      { ...one, logdir: join(one.logdir, '..', 'logs2'), lockdir },
    ];
    const results = await Promise.all(runs.map((r) => kilnBuild(r)));
    for (const r of results) assert.equal(r.code, 0, r.stdout + r.stderr);
    const jobs = runs.flatMap((r) => {
      const store = RunStore.openReadOnly(r.logdir);
      try {
        return store.jobs(store.latestRun()!.id).filter((j) => j.outcome === 'built' || j.outcome === 'failed');
      } finally {
        store.close();
      }
    });
    for (const x of jobs) {
      for (const y of jobs) {
        if (x === y || x.pkgpath !== y.pkgpath) continue;
        assert.ok(x.endedAt! <= y.startedAt || y.endedAt! <= x.startedAt, `${x.pkgpath} built by both runs at once`);
      }
    }
    const writes = runs.map((r) => outcomeOf(r).writes);
    for (const pkgname of ['a-1.0', 'b-1.0', 'c-1.0', 'd-1.0', 'e-1.0']) {
      assert.equal((writes[0]![pkgname] ?? 0) + (writes[1]![pkgname] ?? 0), 1, `${pkgname} written once between the two runs`);
    }
    for (const r of runs) assert.ok(Object.values(outcomeOf(r).statuses).every((s) => s === 'done' || s === 'up-to-date'));
  });

  test('a lock of a kiln that is gone is taken away; a live one is waited for', async () => {
    const d = await fresh({ a: {}, b: {} });
    const lockdir = join(work, `held${n}`);
    const shared = { ...d, lockdir };
    mkdirSync(join(lockdir, 'cat'), { recursive: true });
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const deadOwner = { ...thisProcess(), pid: dead.pid!, start: undefined };
    writeFileSync(join(lockdir, 'cat/a'), formatLock([['locked', 'cat/a'], ['status', 'building'], ['logdir', '/elsewhere']], deadOwner, 0));
    const holder = spawn('sleep', ['30']);
    const liveOwner = { ...thisProcess(), pid: holder.pid!, start: recordOf(holder.pid!).start ?? undefined };
    writeFileSync(join(lockdir, 'cat/b'), formatLock([['locked', 'cat/b'], ['status', 'building'], ['logdir', '/elsewhere']], liveOwner, 0));
    try {
      const started = Date.now();
      const running = kilnBuild(shared);
      setTimeout(() => rmSync(join(lockdir, 'cat/b')), 3000);
      const result = await running;
      assert.equal(result.code, 0, result.stdout);
      assert.ok(Date.now() - started >= 3000, 'b waited for the live lock');
      assert.match(result.stdout, /took away the lock of kiln pid \d+ .*which is gone/);
      const store = RunStore.openReadOnly(d.logdir);
      try {
        const b = store.jobs(1).find((j) => j.pkgname === 'b-1.0' && j.outcome === 'built')!;
        assert.ok(b.startedAt * 1000 >= started + 2900, 'b started after its lock was deleted');
      } finally {
        store.close();
      }
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
