// Full and read-only disks under the real `kiln build`, on small tmpfs
// mounts the test makes (root only): a repository that fills and clears is
// a retried infrastructure failure; one that stays full fails the port as
// infrastructure, names the index it cannot write, and the next run builds
// it; a run directory that fills stops the run with a message naming the
// store, which stays intact and resumes to the end; a read-only one, and a
// missing bubblewrap, are one clear message before anything starts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { RunStore } from '../../src/store/run-store.js';
import { makeDurableTree } from '../support/durable-tree.js';
import { kilnBuild, outcomeOf, type RunDirs } from '../support/kiln-runs.js';
import { waitFor } from '../support/run-command.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-diskfaults-'));
const mounts: string[] = [];
const skip = process.getuid?.() !== 0 ? 'mounting tmpfs needs root' : undefined;

function tmpfs(name: string, size: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(mount.status, 0, mount.stderr);
  mounts.push(dir);
  return dir;
}

/** Fills the file system of `dir` to the last block; returns the filler to delete. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { encoding: 'utf8' });
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `crumb${i}`), 'x'); // the last partial blocks
    } catch {
      break;
    }
  }
  return filler;
}

function free(dir: string): void {
  for (const name of readdirSync(dir)) if (name === 'filler' || name.startsWith('crumb')) rmSync(join(dir, name));
}

const jobsOf = (logdir: string): { pkgname: string; attempt: number; outcome: string | undefined }[] => {
  const store = RunStore.openReadOnly(logdir);
  try {
    const run = store.latestRun();
    return run === undefined ? [] : store.jobs(run.id).map((j) => ({ pkgname: j.pkgname, attempt: j.attempt, outcome: j.outcome }));
  } finally {
    store.close();
  }
};

/** The run's messages so far; none while its store is still being made. */
const messages = (logdir: string): string[] => {
  try {
    const store = RunStore.openReadOnly(logdir);
    try {
      return store.readEvents(0).flatMap(({ event }) => (event.type === 'message' ? [event.text] : []));
    } finally {
      store.close();
    }
  } catch {
    return [];
  }
};

let tree: string;
before(async () => {
  if (skip) return;
  tree = join(work, 'tree');
  await makeDurableTree(tree, { a: {}, b: { deps: ['a'] }, slow: { delay: 3 } });
});
after(() => {
  for (const dir of mounts.reverse()) spawnSync('umount', ['-l', dir]);
  rmSync(work, { recursive: true, force: true });
});

describe('a full repository', { skip }, () => {
  test('that clears while the job waits to be retried: built on the next attempt', async () => {
    const packages = tmpfs('repo1', '1m');
    const d: RunDirs = { tree, logdir: join(work, 'logs1'), packages };
    mkdirSync(join(packages, 'All'));
    fill(packages);
    const running = kilnBuild(d);
    assert.ok(await waitFor(() => existsSync(join(d.logdir, 'kiln.db')) && messages(d.logdir).some((m) => /ENOSPC \(disk full\); it is tried again in 5 s/.test(m)), 30_000),
      'a job failed for the full disk and waits to be retried');
    free(packages);
    const result = await running;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const outcome = outcomeOf(d);
    assert.deepEqual(Object.values(outcome.statuses), ['done', 'done', 'done']);
    assert.ok(jobsOf(d.logdir).some((j) => j.attempt === 2 && j.outcome === 'built'), 'built on a later attempt');
    assert.deepEqual(outcome.partial, []);
    assert.ok(existsSync(join(packages, 'All', 'SHA512')));
  });

  test('that stays full: the port fails as infrastructure, the index is named; the next run builds it', async () => {
    const packages = tmpfs('repo2', '1m');
    const d: RunDirs = { tree, logdir: join(work, 'logs2'), packages };
    mkdirSync(join(packages, 'All'));
    fill(packages);
    const full = await kilnBuild(d, { args: ['cat/a'] });
    assert.equal(full.code, 1);
    assert.match(full.stdout, /cannot write package .*a-1\.0\.tgz: ENOSPC \(disk full\)/);
    assert.deepEqual(jobsOf(d.logdir).map((j) => j.attempt), [1, 2, 3]);
    assert.equal(outcomeOf(d).statuses['a-1.0'], 'failed');
    assert.deepEqual(outcomeOf(d).partial, [], 'no half-written package');
    free(packages);
    const again = await kilnBuild(d, { args: ['cat/a'] });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(outcomeOf(d).statuses['a-1.0'], 'done');
    assert.ok(existsSync(join(packages, 'All', 'SHA512')));
  });
});

describe('a full or read-only run directory', { skip }, () => {
  test('full before the start: one message naming it, nothing lost', async () => {
    const logdir = tmpfs('logs3', '256k');
    fill(logdir);
    const d: RunDirs = { tree, logdir, packages: join(work, 'packages3') };
    const result = await kilnBuild(d);
    assert.equal(result.code, 4, 'an unusable input');
    assert.match(result.stderr, new RegExp(`^kiln: cannot (write|open) .*${logdir}.*(ENOSPC|full)`, 'm'));
    assert.doesNotMatch(result.stderr, /internal error/);
  });

  test('full in the middle: the run stops naming its store, which stays intact and resumes to the end', async () => {
    const logdir = tmpfs('logs4', '8m');
    const d: RunDirs = { tree, logdir, packages: join(work, 'packages4') };
    const running = kilnBuild(d);
    assert.ok(await waitFor(() => existsSync(join(logdir, 'packages', 'slow-1.0.log')), 20_000), 'slow builds');
    fill(logdir);
    const stopped = await running;
    assert.equal(stopped.code, 4, stopped.stdout + stopped.stderr);
    assert.match(stopped.stderr, /^kiln: cannot write the run (store|directory) .*(full|ENOSPC)/m);
    assert.doesNotMatch(stopped.stderr, /internal error/);
    const db = new Database(join(logdir, 'kiln.db'), { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    free(logdir);
    const resumed = await kilnBuild(d);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /run 1 resumed/);
    assert.deepEqual(Object.values(outcomeOf(d).statuses), ['done', 'done', 'done']);
  });

  test('read-only: one message, before anything starts', async () => {
    const logdir = tmpfs('logs5', '1m');
    spawnSync('mount', ['-o', 'remount,ro', logdir]);
    const result = await kilnBuild({ tree, logdir, packages: join(work, 'packages5') });
    assert.equal(result.code, 4, 'an unusable input');
    assert.match(result.stderr, /^kiln: cannot write .*kiln\.lock.*(EROFS|read-only)/m);
  });
});

describe('a missing tool', () => {
  test('no bubblewrap: one message saying what to install; the run directory is left as it was', async (t) => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const d: RunDirs = { tree: tree ?? work, logdir: join(work, 'logs6'), packages: join(work, 'packages6') };
    const result = await kilnBuild(d, { env: { PATH: bin } });
    t.diagnostic(result.stderr.trim());
    assert.equal(result.code, 4, 'an unusable input');
    assert.match(result.stderr, /^kiln: cannot build here: bwrap is not installed \(not in PATH\); scans and builds run in its sandboxes\. Install it \(apt-get install bubblewrap\)/m);
    assert.equal(existsSync(d.logdir), false);
  });
});
