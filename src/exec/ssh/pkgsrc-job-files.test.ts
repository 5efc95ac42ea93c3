import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHasher } from './file-hasher.js';
import { directoriesRead, distinfoNames, pkgsrcJobFiles } from './pkgsrc-job-files.js';

void test('the directories a pkgsrc job reads: mk/ and the port directories of its SCAN_DEPENDS, itself left out; masters are where it read a Makefile', () => {
  const reads = [
    'mk/bsd.pkg.mk', 'www/app/Makefile', 'www/app/options.mk', 'devel/gettext-lib/buildlink3.mk', 'devel/gettext-lib/builtin.mk',
    'lang/php/Makefile.common', 'lang/python/pyversion.mk', 'mk.conf', '/usr/pkg/etc/mk.conf', '../outside/x.mk',
  ];
  assert.deepEqual(directoriesRead('www/app', reads), { dirs: ['mk', 'devel/gettext-lib', 'lang/php', 'lang/python'], masters: ['lang/php'] });
});

void test('distinfo names its distfiles by their Size lines; patches and unsafe names are not distfiles', () => {
  const distinfo = [
    '$NetBSD: distinfo,v 1.3 2017/01/01 00:00:00 x Exp $', '',
    'SHA1 (foo-1.0.tar.gz) = 0123', 'SHA512 (foo-1.0.tar.gz) = 4567', 'Size (foo-1.0.tar.gz) = 1234 bytes',
    'Size (foo/extra-2.zip) = 10 bytes', 'Size (../../etc/passwd) = 1 bytes', 'SHA1 (patch-aa) = 89ab', '',
  ].join('\n');
  assert.deepEqual(distinfoNames(distinfo), ['foo-1.0.tar.gz', 'foo/extra-2.zip']);
});

void test('a job\'s tree files and distfiles: whole directories by content hash, version control left behind, absent distfiles left out', async () => {
  const tree = await mkdtemp(join(tmpdir(), 'kiln-pkgsrc-files-'));
  try {
    const write = async (path: string, text: string): Promise<void> => {
      await mkdir(join(tree, path, '..'), { recursive: true });
      await writeFile(join(tree, path), text);
    };
    await write('mk/bsd.pkg.mk', 'mk\n');
    await write('mk/scripts/run.sh', 'script\n');
    await write('mk/CVS/Entries', 'cvs\n');
    await write('devel/lib/buildlink3.mk', 'bl3\n');
    await write('devel/lib/patches/patch-aa', 'patch\n');
    await write('devel/app/Makefile', 'app\n');
    await write('devel/app/distinfo', 'Size (app-1.0.tar.gz) = 4 bytes\nSize (app-extra.tar.gz) = 4 bytes\n');
    await write('distfiles/app-1.0.tar.gz', 'tar\n');
    const found = await pkgsrcJobFiles(tree, 'devel/app', ['mk/bsd.pkg.mk', 'devel/lib/buildlink3.mk', 'devel/app/Makefile'], join(tree, 'distfiles'), new FileHasher());
    assert.ok(found.ok, found.ok ? '' : found.reason);
    assert.deepEqual(found.tree.map((e) => `${e.kind} ${e.path}`), [
      'file mk/bsd.pkg.mk', 'dir mk/scripts', 'file mk/scripts/run.sh',
      'file devel/lib/buildlink3.mk', 'dir devel/lib/patches', 'file devel/lib/patches/patch-aa',
    ]);
    assert.deepEqual(found.distfiles.map((e) => e.path), ['app-1.0.tar.gz'], 'the distfile not fetched here is left to the job\'s checksum');
    assert.equal(found.files.size, 5);
    const escaping = await pkgsrcJobFiles(tree, 'devel/app', ['devel/none/buildlink3.mk'], join(tree, 'distfiles'), new FileHasher());
    assert.ok(!escaping.ok && /cannot read the directory devel\/none/.test(escaping.reason));
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
});
