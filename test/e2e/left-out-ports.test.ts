// Ports the real `kiln build` does not build although they are in the tree
// are shown to the operator with the reason, on the terminal and in the
// reports, instead of vanishing: the second port of a duplicate PKGNAME
// (naming the port that kept it), a port directory that is a symlink out of
// the tree, and a Portfile that is one.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { makeTree, portfile } from '../support/fixture-tree.js';
import { buildArgs, kiln, type RunDirs } from '../support/kiln-runs.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-left-out-'));
chmodSync(work, 0o755); // a tree the build user can reach, as a ports tree is: its scans run as that user
after(() => rmSync(work, { recursive: true, force: true }));
const INSTALL = 'mkdir -p "$DESTDIR$PREFIX/share"\necho "$PKGNAME" > "$DESTDIR$PREFIX/share/$PKGNAME"';

interface ReportEntry { pkgname: string; pkgpath: string; status: string; reason: string | null }

test('a duplicate PKGNAME and symlinked ports: each shown with its reason, the rest built', async () => {
  const tree = join(work, 'tree');
  const outside = join(work, 'outside');
  await makeTree(tree, {
    // zz/first sorts after aa/second: the one kept must be the first in pkgpath order, whatever scan ends first.
    'aa/second': { Portfile: portfile('twin-1.0', { build: ':', install: INSTALL }, 'COMMENT="kept"\n') },
    'zz/first': { Portfile: portfile('twin-1.0', { build: ':', install: INSTALL }, 'COMMENT="dropped"\n') },
    'misc/fine': { Portfile: portfile('fine-1.0', { build: ':', install: INSTALL }) },
  });
  await makeTree(outside, { 'port': { Portfile: portfile('outside-1.0', { build: ':', install: INSTALL }) } });
  symlinkSync(join(outside, 'port'), join(tree, 'misc', 'linkeddir'));
  mkdirSync(join(tree, 'misc', 'linkedfile'));
  symlinkSync(join(outside, 'port', 'Portfile'), join(tree, 'misc', 'linkedfile', 'Portfile'));

  const dirs: RunDirs = { tree, logdir: join(work, 'logs'), packages: join(work, 'packages') };
  const run = await kiln(buildArgs(dirs));
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /warning: zz\/first: not built: its PKGNAME twin-1\.0 is also that of aa\/second, which is built instead/);
  assert.match(run.stdout, /misc\/linkeddir: cannot be scanned: misc\/linkeddir is a symlink/);
  assert.match(run.stdout, /misc\/linkedfile: cannot be scanned: misc\/linkedfile\/Portfile is a symlink that leaves the tree/);

  const report = JSON.parse(readFileSync(join(dirs.logdir, 'report.json'), 'utf8')) as { summary: { total: number; prefailed: number }; packages: ReportEntry[] };
  const byPath = new Map(report.packages.map((p) => [p.pkgpath, p]));
  assert.deepEqual([...byPath.keys()].sort(), ['aa/second', 'misc/fine', 'misc/linkeddir', 'misc/linkedfile', 'zz/first']);
  assert.equal(byPath.get('aa/second')?.status, 'done');
  assert.equal(byPath.get('misc/fine')?.status, 'done');
  assert.deepEqual([byPath.get('zz/first')?.pkgname, byPath.get('zz/first')?.status], ['twin-1.0', 'prefailed']);
  assert.match(byPath.get('zz/first')?.reason ?? '', /twin-1\.0 is also that of aa\/second/);
  assert.match(byPath.get('misc/linkeddir')?.reason ?? '', /symlink/);
  assert.match(byPath.get('misc/linkedfile')?.reason ?? '', /symlink that leaves the tree/);
  assert.deepEqual([report.summary.total, report.summary.prefailed], [5, 3]);

  const txt = readFileSync(join(dirs.logdir, 'report.txt'), 'utf8');
  assert.match(txt, /^zz\/first \(twin-1\.0\)\n {4}reason: its PKGNAME twin-1\.0 is also that of aa\/second/m);
  assert.match(txt, /^misc\/linkeddir /m);
  // The page (report.html, as the live page gets it): the dropped port is a row of its own, with its reason.
  assert.match(readFileSync(join(dirs.logdir, 'report.html'), 'utf8'), /"zz\/first","[^"]*","prefailed",null,null,"its PKGNAME twin-1\.0 is also that of aa\/second/);
  const built = readFileSync(join(dirs.packages, 'All', 'SHA512'), 'utf8');
  assert.match(built, /twin-1\.0\.tgz/);
  assert.doesNotMatch(built, /outside-1\.0/, 'nothing from outside the tree is built');
});

test('a dependency cycle: its ports are prefailed naming the cycle, the rest is built, kiln does not crash', async () => {
  const tree = join(work, 'cycle-tree');
  await makeTree(tree, {
    'misc/a': { Portfile: portfile('a-1.0', { build: ':', install: INSTALL }, "DEPENDS=('b-[0-9]*:../../misc/b')\n") },
    'misc/b': { Portfile: portfile('b-1.0', { build: ':', install: INSTALL }, "DEPENDS=('a-[0-9]*:../../misc/a')\n") },
    'misc/c': { Portfile: portfile('c-1.0', { build: ':', install: INSTALL }) },
  });
  const dirs: RunDirs = { tree, logdir: join(work, 'cycle-logs'), packages: join(work, 'cycle-packages') };
  const run = await kiln(buildArgs(dirs));
  assert.doesNotMatch(run.stderr, /internal error|heap/);
  const report = JSON.parse(readFileSync(join(dirs.logdir, 'report.json'), 'utf8')) as { packages: ReportEntry[] };
  const status = Object.fromEntries(report.packages.map((p) => [p.pkgpath, [p.status, p.reason]]));
  assert.equal(status['misc/c']?.[0], 'done');
  for (const pkgpath of ['misc/a', 'misc/b']) {
    assert.equal(status[pkgpath]?.[0], 'prefailed');
    assert.match(status[pkgpath]?.[1] ?? '', /dependency cycle/);
  }
});
