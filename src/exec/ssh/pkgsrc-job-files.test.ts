import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildJob } from '../../job/build-job.js';
import type { PortEntry } from '../agent/protocol.js';
import { FileHasher } from './file-hasher.js';
import { distinfoNames, masters, pkgsrcJobPart } from './pkgsrc-job-files.js';
import { TreeSnapshot } from './tree-snapshot.js';

void test('a port\'s masters: the other port directories where its make read a Makefile', () => {
  const reads = ['mk/bsd.pkg.mk', 'www/app/Makefile', 'devel/gettext-lib/buildlink3.mk', 'lang/php/Makefile.common', 'mk/misc/Makefile.x', '../x/Makefile'];
  assert.deepEqual(masters('www/app', reads), ['lang/php']);
});

void test('distinfo names its distfiles by their Size lines; patches and unsafe names are not distfiles', () => {
  const distinfo = [
    '$NetBSD: distinfo,v 1.3 2017/01/01 00:00:00 x Exp $', '',
    'SHA1 (foo-1.0.tar.gz) = 0123', 'SHA512 (foo-1.0.tar.gz) = 4567', 'Size (foo-1.0.tar.gz) = 1234 bytes',
    'Size (foo/extra-2.zip) = 10 bytes', 'Size (../../etc/passwd) = 1 bytes', 'SHA1 (patch-aa) = 89ab', '',
  ].join('\n');
  assert.deepEqual(distinfoNames(distinfo), ['foo-1.0.tar.gz', 'foo/extra-2.zip']);
});

async function scratchTree(files: Readonly<Record<string, string>>): Promise<string> {
  const tree = await mkdtemp(join(tmpdir(), 'kiln-pkgsrc-files-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(tree, path, '..'), { recursive: true });
    await writeFile(join(tree, path), text);
  }
  return tree;
}

void test('a pkgsrc job carries the kit, the tree\'s revision, pbulk\'s block and the distfiles DISTDIR holds (its master\'s, without a distinfo of its own)', async () => {
  const tree = await scratchTree({
    'devel/app/Makefile': 'app\n', 'devel/app/distinfo': 'Size (app-1.0.tar.gz) = 4 bytes\nSize (app-extra.tar.gz) = 4 bytes\n',
    'devel/app-fr/Makefile': '.include "../../devel/app/Makefile"\n', 'distfiles/app-1.0.tar.gz': 'tar\n', 'kit.tgz': 'kit\n',
  });
  try {
    const setup = { kit: { file: join(tree, 'kit.tgz'), prefix: '/usr/pkg', sha256: '' }, make: '/usr/pkg/bin/bmake' };
    const job = (pkgpath: string, reads: string[]): BuildJob => ({
      pkgname: 'app-1.0', pkgpath, tree, dependencies: [], makeJobs: 1, timeoutS: 10, logDir: '', logFile: '', packageDir: '',
      metadata: { comment: '', categories: '', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [] }, block: { PKGNAME: 'app-1.0' }, reads,
    });
    const hasher = new FileHasher();
    const own = await pkgsrcJobPart(setup, 'e'.repeat(64), job('devel/app', []), hasher);
    assert.ok(own.ok, own.ok ? '' : own.reason);
    assert.deepEqual(own.part.distfiles.map((e) => e.path), ['app-1.0.tar.gz'], 'a distfile not fetched here is left to the job\'s checksum');
    assert.deepEqual(own.part.block, [{ key: 'PKGNAME', value: 'app-1.0' }]);
    assert.equal(own.part.tree, 'e'.repeat(64));
    assert.equal(own.files.get(own.part.kit.hash), join(tree, 'kit.tgz'));
    const variant = await pkgsrcJobPart(setup, 'e'.repeat(64), job('devel/app-fr', ['devel/app/Makefile']), hasher);
    assert.ok(variant.ok);
    assert.deepEqual(variant.part.distfiles.map((e) => e.path), ['app-1.0.tar.gz'], 'the master\'s distinfo');
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
});

void test('a tree\'s revision: every file by content hash but version control, distfiles/, packages/ and work directories; a change is a new revision', async () => {
  const tree = await scratchTree({
    'mk/bsd.pkg.mk': 'mk\n', 'mk/CVS/Entries': 'cvs\n', 'devel/app/Makefile': 'app\n', 'devel/app/work/junk': 'junk\n',
    'sysutils/install-sh/files/install-sh.in': 'sh\n', 'distfiles/big.tar.gz': 'big\n', 'packages/All/x.tgz': 'x\n',
  });
  const snapshots: TreeSnapshot[] = [];
  const take = (): TreeSnapshot => { const s = new TreeSnapshot(tree, new FileHasher()); snapshots.push(s); return s; };
  try {
    const first = await take().manifest();
    const entries = JSON.parse(await readFile(first.file, 'utf8')) as PortEntry[];
    assert.deepEqual(entries.filter((e) => e.kind === 'file').map((e) => e.path).sort(),
      ['devel/app/Makefile', 'mk/bsd.pkg.mk', 'sysutils/install-sh/files/install-sh.in']);
    assert.equal(first.bytes, 10);
    assert.equal((await take().manifest()).hash, first.hash, 'the same tree, the same revision');
    await writeFile(join(tree, 'mk', 'bsd.pkg.mk'), 'mk changed\n');
    assert.notEqual((await take().manifest()).hash, first.hash);
  } finally {
    for (const s of snapshots) await s.close();
    await rm(tree, { recursive: true, force: true });
  }
});
