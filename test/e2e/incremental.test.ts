// Incremental builds with the real `kiln build`: an unchanged tree starts
// no job; a changed port is rebuilt, and what depends on it only when the
// rebuilt package's content changed; --force and --rebuild-all; a fixed port
// that failed is tried again by itself.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { RunStore } from '../../src/store/run-store.js';
import { DIAMOND, makeDurableTree, setFailing, setFile } from '../support/durable-tree.js';
import { kilnBuild, outcomeOf, type RunDirs } from '../support/kiln-runs.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-incremental-'));
const d: RunDirs = { tree: join(work, 'tree'), logdir: join(work, 'logs'), packages: join(work, 'packages') };
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs the build; returns the pkgnames its run started jobs for, and the statuses. */
async function build(args: string[] = []): Promise<{ built: string[]; statuses: Record<string, string>; seconds: number }> {
  const started = performance.now();
  const result = await kilnBuild(d, { args });
  const seconds = (performance.now() - started) / 1000;
  assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
  const store = RunStore.openReadOnly(d.logdir);
  try {
    const run = store.latestRun()!.id;
    return { built: [...new Set(store.jobs(run).map((j) => j.pkgname))].sort(), statuses: outcomeOf(d).statuses, seconds };
  } finally {
    store.close();
  }
}

describe('incremental builds', () => {
  before(async () => {
    await makeDurableTree(d.tree, DIAMOND);
    const first = await build();
    assert.deepEqual(first.built, ['a-1.0', 'b-1.0', 'bad-1.0', 'c-1.0', 'd-1.0', 'e-1.0', 'lone-1.0']);
  });

  test('an unchanged tree starts no job; the failed port stays failed without being tried', async (t) => {
    const again = await build();
    t.diagnostic(`kiln build of the unchanged tree: ${again.seconds.toFixed(2)} s`);
    assert.deepEqual(again.built, []);
    assert.equal(again.statuses['a-1.0'], 'up-to-date');
    assert.equal(again.statuses['e-1.0'], 'up-to-date');
    assert.equal(again.statuses['bad-1.0'], 'failed');
    assert.equal(again.statuses['usesbad-1.0'], 'indirect-failed');
  });

  test('a change that leaves the package the same rebuilds the port alone', async () => {
    setFile(d.tree, 'a', 'note', 'a changed note\n');
    const run = await build();
    assert.deepEqual(run.built, ['a-1.0']);
    assert.equal(run.statuses['a-1.0'], 'done');
    for (const name of ['b-1.0', 'c-1.0', 'd-1.0', 'e-1.0', 'lone-1.0']) assert.equal(run.statuses[name], 'up-to-date', name);
  });

  test('a change of what a package installs rebuilds what was built against it, and no more', async () => {
    setFile(d.tree, 'b', 'payload', 'b 2\n');
    const run = await build();
    assert.deepEqual(run.built, ['b-1.0', 'c-1.0', 'e-1.0']);
    assert.equal(run.statuses['a-1.0'], 'up-to-date');
    assert.equal(run.statuses['d-1.0'], 'up-to-date');
  });

  test('a deep change cascades as far as contents change', async () => {
    setFile(d.tree, 'a', 'payload', 'a 2\n');
    const run = await build();
    assert.deepEqual(run.built, ['a-1.0', 'b-1.0', 'c-1.0', 'd-1.0', 'e-1.0']);
    assert.equal(run.statuses['lone-1.0'], 'up-to-date');
  });

  test('--force builds a current port again; what depends on it stays, its content being the same', async () => {
    const run = await build(['--force', 'cat/a']);
    assert.deepEqual(run.built, ['a-1.0']);
    assert.equal(run.statuses['b-1.0'], 'up-to-date');
  });

  test('a package file that went missing is built again', async () => {
    rmSync(join(d.packages, 'All', 'd-1.0.tgz'));
    const run = await build();
    assert.deepEqual(run.built, ['d-1.0']);
    assert.equal(run.statuses['e-1.0'], 'up-to-date', 'the same content again: reproducible');
  });

  test('a failed port that was fixed is built, and what it blocked', async () => {
    setFailing(d.tree, 'bad', false);
    const run = await build();
    assert.deepEqual(run.built, ['bad-1.0', 'usesbad-1.0']);
    assert.equal(outcomeOf(d).locks.length, 0, 'its lock went with the failure');
  });

  test('--rebuild-all builds everything', async () => {
    const run = await build(['--rebuild-all']);
    assert.equal(run.built.length, 8);
    assert.ok(Object.values(run.statuses).every((s) => s === 'done'));
  });
});
