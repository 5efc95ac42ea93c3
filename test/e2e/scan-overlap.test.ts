// Builds start before the scan ends (as dpb's do), with the real `kiln
// build`: a port that takes seconds to scan does not hold back the ports
// whose dependencies are all scanned; and when a port scanned late offers a
// better match than the one a started build was resolved with, the whole
// tree is planned again and that build is done again, against what pbulk
// would have picked.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import type { RunEvent } from '../../src/core/run-events.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeDurableTree } from '../support/durable-tree.js';
import { kilnBuild, outcomeOf, type RunDirs } from '../support/kiln-runs.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-overlap-'));
after(() => rmSync(work, { recursive: true, force: true }));

function dirs(name: string): RunDirs {
  return { tree: join(work, name, 'tree'), logdir: join(work, name, 'logs'), packages: join(work, name, 'packages') };
}

/** Makes `cat/<name>`'s Portfile take `seconds` to scan, and maybe give another PKGNAME. */
function slowScan(tree: string, name: string, seconds: number, pkgname?: string): void {
  const file = join(tree, 'cat', name, 'Portfile');
  let text = readFileSync(file, 'utf8');
  if (pkgname !== undefined) text = text.replace(/^PKGNAME=.*$/m, `PKGNAME=${pkgname}`);
  writeFileSync(file, `sleep ${seconds}\n${text}`);
}

function events(logdir: string): RunEvent[] {
  const store = RunStore.openReadOnly(logdir);
  try {
    const run = store.latestRun()!.id;
    return store.readEvents(0, run).map((e) => e.event);
  } finally {
    store.close();
  }
}

/** What `file` under the package's prefix holds. */
function packaged(d: RunDirs, pkgname: string, file: string): string {
  return execFileSync('tar', ['-xzOf', join(d.packages, 'All', `${pkgname}.tgz`), file], { encoding: 'utf8' });
}

test('builds start while a slow port is still being scanned, and the run ends as a sequential one would', async () => {
  const d = dirs('overlap');
  await makeDurableTree(d.tree, { a: {}, b: { deps: ['a'] }, c: { deps: ['b'] }, slow: { deps: ['a'] } });
  slowScan(d.tree, 'slow', 6);
  const result = await kilnBuild(d);
  assert.equal(result.code, 0, result.stderr);
  const all = events(d.logdir);
  const final = all.findIndex((e) => e.type === 'resolved' && e.more !== true);
  const firstJob = all.findIndex((e) => e.type === 'job-started');
  assert.ok(final > 0 && firstJob > 0);
  assert.ok(firstJob < final, 'a job started before the scan ended');
  const early = all.filter((e) => e.type === 'job-ended' && all.indexOf(e) < final).map((e) => (e.type === 'job-ended' ? e.job.pkgname : ''));
  assert.ok(early.includes('a-1.0'), 'a was built while slow was scanned');
  assert.ok(!early.includes('slow-1.0'));
  assert.deepEqual(outcomeOf(d).statuses, { 'a-1.0': 'done', 'b-1.0': 'done', 'c-1.0': 'done', 'slow-1.0': 'done' });
  const report = JSON.parse(readFileSync(join(d.logdir, 'report.json'), 'utf8')) as { packages: { pkgname: string; depends?: string[] }[] };
  assert.equal(report.packages.length, 4);
  assert.match(result.stdout, /\d more packages? can be built while the scan goes on/);
  assert.equal(packaged(d, 'c-1.0', 'share/c/from'), 'b 1\n');
});

test('a port scanned late with a better match: the build started early is done again against it', async () => {
  const d = dirs('replan');
  // app needs lib-[0-9]*, named in cat/lib (lib-1.0); cat/lib2 takes long to scan and gives lib-2.0, the best match.
  await makeDurableTree(d.tree, { lib: {}, app: { deps: ['lib'] }, lib2: {} });
  writeFileSync(join(d.tree, 'cat', 'lib2', 'Portfile'), readFileSync(join(d.tree, 'cat', 'lib', 'Portfile'), 'utf8'));
  writeFileSync(join(d.tree, 'cat', 'lib2', 'payload'), 'lib 2\n');
  slowScan(d.tree, 'lib2', 6, 'lib-2.0');
  const result = await kilnBuild(d);
  assert.equal(result.code, 0, result.stderr);
  const all = events(d.logdir);
  const final = all.findIndex((e) => e.type === 'resolved' && e.more !== true);
  const earlyApp = all.findIndex((e) => e.type === 'job-started' && e.job.pkgname === 'app-1.0');
  assert.ok(earlyApp >= 0 && earlyApp < final, 'app was started against lib-1.0 while cat/lib2 was scanned');
  assert.match(result.stdout, /1 package\(s\) resolve otherwise than they did during the scan \(app-1\.0\)/);
  assert.deepEqual(outcomeOf(d).statuses, { 'app-1.0': 'done', 'lib-1.0': 'done', 'lib-2.0': 'done' });
  assert.equal(packaged(d, 'app-1.0', 'share/app/from'), 'lib 2\n', 'app is built against lib-2.0, as pbulk resolves it');
  assert.match(packaged(d, 'app-1.0', '+CONTENTS'), /@pkgdep lib-\[0-9\]\*|lib-2\.0/);
});
