// Full and read-only disks under the real `kiln build`, on small tmpfs
// mounts the test makes (root only). A repository or run directory short of
// space starts no job and fails no package: the run says where and how much
// is missing and goes on by itself once space is freed; a job whose package
// did not fit goes back to the queue without counting an attempt. A run
// directory that fills to the last block stops the run with a message
// naming the store, which stays intact and resumes to the end; a read-only
// one, and a missing bubblewrap, are one clear message before anything starts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { RunStore } from '../../src/store/run-store.js';
import { BIG_PORTFILE, makeDurableTree } from '../support/durable-tree.js';
import { kiln, kilnBuild, outcomeOf, type RunDirs } from '../support/kiln-runs.js';
import { waitFor } from '../support/run-command.js';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** Fills the file system of `dir` to the last block, or up to `leaveMiB` free; returns the filler to delete. */
function fill(dir: string, leaveMiB = 0): string {
  const filler = join(dir, 'filler');
  if (leaveMiB > 0) {
    const { bavail, bsize } = statfsSync(dir);
    const count = Math.floor((bavail * bsize) / 2 ** 20) - leaveMiB;
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', `count=${count}`], { encoding: 'utf8' });
    return filler;
  }
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

/** The run's messages (and what it said of space) so far; none while its store is still being made. */
const messages = (logdir: string): string[] => {
  try {
    const store = RunStore.openReadOnly(logdir);
    try {
      return store.readEvents(0).flatMap(({ event }) => (event.type === 'message' ? [event.text] : event.type === 'space' ? [event.reason] : []));
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

/** What the run records of its packages: none may be failed for a full disk. */
const statusesOf = (logdir: string): string[] => {
  const store = RunStore.openReadOnly(logdir);
  try {
    const run = store.latestRun();
    return run === undefined ? [] : [...store.statuses(run.id).values()].map((s) => s.status);
  } finally {
    store.close();
  }
};

/** `dir` is short of space: no job starts and nothing fails while it is; freed, the run ends by itself with every package built. */
async function waitsForSpace(d: RunDirs, what: string, dir: string): Promise<void> {
  const running = kilnBuild(d);
  const short = `the ${what} ${dir} is short of space: [\\d.]+ MiB free, kiln needs \\d+ MiB there, [\\d.]+ MiB missing; no new job starts`;
  assert.ok(await waitFor(() => existsSync(join(d.logdir, 'kiln.db')) && messages(d.logdir).some((m) => new RegExp(`^${short}`).test(m)), 30_000),
    `the run says that the ${what} is short of space and how much is missing`);
  await sleep(4000); // more than one look at the free space, and time for the scan to find every port
  assert.deepEqual(jobsOf(d.logdir), [], 'no job started');
  assert.ok(!statusesOf(d.logdir).some((s) => s.includes('failed')), 'no package failed');
  const status = await kiln(['status', '--logdir', d.logdir, '--once', '--plain']);
  assert.match(status.stdout, new RegExp(`^${short}`, 'm'), 'kiln status shows why nothing starts');
  free(dir);
  const result = await running;
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`^\\S+ warning: ${short}`, 'm'), 'the terminal said it');
  assert.match(result.stdout, new RegExp(`the ${what} ${dir} has [\\d.]+ MiB free again: jobs start again`));
  assert.match(readFileSync(join(d.logdir, 'engine.log'), 'utf8'), /is short of space/);
  assert.deepEqual(Object.values(outcomeOf(d).statuses), ['done', 'done', 'done']);
  assert.deepEqual(jobsOf(d.logdir).map((j) => [j.attempt, j.outcome]), [[1, 'built'], [1, 'built'], [1, 'built']]);
}

describe('a full repository', { skip }, () => {
  test('full before the start: no job starts, nothing fails; the run says where and how much is missing, and ends by itself once it is freed', async () => {
    const packages = tmpfs('repo1', '100m');
    mkdirSync(join(packages, 'All'));
    fill(packages);
    await waitsForSpace({ tree, logdir: join(work, 'logs1'), packages }, 'repository', packages);
    assert.ok(existsSync(join(packages, 'All', 'SHA512')));
  });

  test('stopped with Ctrl-C while it waits for space: nothing failed, and the same command builds everything once space is freed', async () => {
    const packages = tmpfs('repo3', '100m');
    mkdirSync(join(packages, 'All'));
    fill(packages);
    const d: RunDirs = { tree, logdir: join(work, 'logs3r'), packages };
    let pid = 0;
    const running = kilnBuild(d, { started: (p) => { pid = p; } });
    assert.ok(await waitFor(() => existsSync(join(d.logdir, 'kiln.db')) && messages(d.logdir).some((m) => /is short of space/.test(m)), 30_000));
    process.kill(pid, 'SIGINT');
    const stopped = await running;
    assert.equal(stopped.code, 130, stopped.stdout + stopped.stderr);
    assert.deepEqual(jobsOf(d.logdir), []);
    assert.ok(!statusesOf(d.logdir).some((s) => s.includes('failed')), 'no package failed');
    free(packages);
    const again = await kilnBuild(d);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /run 1 resumed/);
    assert.deepEqual(Object.values(outcomeOf(d).statuses), ['done', 'done', 'done']);
  });

  test('a package bigger than the space left: its job goes back to the queue uncounted, and it is built once space is freed', async () => {
    const bigTree = join(work, 'bigtree');
    await makeDurableTree(bigTree, { a: {} });
    mkdirSync(join(bigTree, 'cat', 'big'));
    writeFileSync(join(bigTree, 'cat', 'big', 'Portfile'), BIG_PORTFILE);
    const packages = tmpfs('repo2', '200m');
    mkdirSync(join(packages, 'All'));
    fill(packages, 70);
    const d: RunDirs = { tree: bigTree, logdir: join(work, 'logs2'), packages };
    const running = kilnBuild(d);
    const short = new RegExp(`^the repository ${packages} is short of space: [\\d.]+ MiB free, kiln needs \\d+ MiB there, [\\d.]+ MiB missing`);
    const bigJobs = (): [number, string | undefined][] => jobsOf(d.logdir).filter((j) => j.pkgname === 'big-1.0').map((j) => [j.attempt, j.outcome]);
    assert.ok(await waitFor(() => existsSync(join(d.logdir, 'kiln.db')) && messages(d.logdir).some((m) => short.test(m)) && bigJobs().some(([, outcome]) => outcome !== undefined), 60_000),
      'the run says that the repository is short');
    await sleep(4000); // more than one look at the free space: still short, as the job showed how much it needs
    assert.deepEqual(bigJobs(), [[1, 'infrastructure']], 'the job that did not fit ended, and no other started');
    assert.ok(!statusesOf(d.logdir).some((s) => s.includes('failed')), 'no package failed');
    free(packages);
    const result = await running;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(outcomeOf(d).statuses, { 'a-1.0': 'done', 'big-1.0': 'done' });
    assert.deepEqual(bigJobs(), [[1, 'infrastructure'], [1, 'built']],
      'the attempt that ran out of space did not count');
    assert.deepEqual(outcomeOf(d).partial, [], 'no half-written package');
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

  test('short of space before the start: no job starts, nothing fails; the run ends by itself once it is freed', async () => {
    const logdir = tmpfs('logs7', '100m');
    fill(logdir, 16); // room for the store, not for jobs
    await waitsForSpace({ tree, logdir, packages: join(work, 'packages7') }, 'run directory', logdir);
  });

  test('full to the last block in the middle: the run stops naming its store, which stays intact and resumes to the end', async () => {
    const logdir = tmpfs('logs4', '100m');
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
