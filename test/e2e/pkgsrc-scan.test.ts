// `kiln scan` on a pkgsrc tree (the fixture, under Debian's bmake): what
// bmake pbulk-index printed, PKG_LOCATION added, MULTI_VERSION blocks, the
// tree variables asked once, closure mode, and the SCAN_DEPENDS cache.

import assert from 'node:assert/strict';
import { appendFile, cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { parseIndex } from '../../src/core/formats/pbulk-index.js';
import { fixture, fixtureCopy, fixtureTree, makeKit, noBmake } from './pkgsrc-fixture.js';
import { kiln } from './scan-fixtures.js';

void test('a pkgsrc tree is found by its mk/bsd.pkg.mk and scanned with bmake pbulk-index, blocks as bmake printed them', { skip: noBmake }, async (t) => {
  const { dir, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = await kiln(['scan', '--tree', fixtureTree, '--bootstrap-kit', kit, '--jobs', '2']);
  assert.equal(run.status, 1, 'devel/broken cannot be scanned');
  assert.match(run.stderr, /^kiln scan: devel\/broken: bmake pbulk-index failed \(exit status 1\): bmake: .*line 4: "devel\/broken is broken on purpose"$/m);
  const { entries, errors } = parseIndex(run.stdout);
  assert.deepEqual(errors, []);
  assert.deepEqual(entries.map((e) => e.pkgname), [
    'badconf-0.1', 'broken', 'daemon-2.0', 'etcview-1.0', 'hello-1.0', 'libfoo-1.2', 'osname-1.0', 'secret-1.0', 'kilnsh-1.0', 'usesecret-1.0',
    'py311-thing-1.0', 'py310-thing-1.0', 'bootstrap-thing-1.0', 'pkg_install-20171030',
  ], 'every SUBDIR of every category (retired/ is commented out), sorted by pkgpath, multi-version blocks in bmake order');
  const hello = entries.find((e) => e.pkgname === 'hello-1.0')!;
  assert.deepEqual([...hello.vars.keys()], ['PKGNAME', 'PKG_LOCATION', 'ALL_DEPENDS', 'PKG_SKIP_REASON', 'PKG_FAIL_REASON', 'NO_BIN_ON_FTP',
    'RESTRICTED', 'CATEGORIES', 'MAINTAINER', 'USE_DESTDIR', 'BOOTSTRAP_PKG', 'USERGROUP_PHASE', 'SCAN_DEPENDS'], 'pkgsrc keys only, PKG_LOCATION second');
  assert.equal(hello.vars.get('ALL_DEPENDS'), 'libfoo>=1.0:../../devel/libfoo ', 'byte for byte, trailing blank included');
  assert.match(hello.vars.get('SCAN_DEPENDS')!, / Makefile \.\.\/\.\.\/mk\/bsd\.pkg\.mk \.\.\/\.\.\/mk\/bsd\.prefs\.mk \/usr\/pkg\/etc\/mk\.conf$/, 'the kit was at PREFIX');
  const multi = entries.filter((e) => e.vars.get('PKG_LOCATION') === 'lang/py-thing');
  assert.deepEqual(multi.map((e) => e.vars.get('MULTI_VERSION')), [' PYTHON_VERSION_REQD=311', ' PYTHON_VERSION_REQD=310']);
  assert.equal(entries.find((e) => e.pkgname === 'osname-1.0')!.vars.get('CATEGORIES'), 'devel os-KilnProbeOS',
    'OPSYS came from the one show-vars in pkgtools/pkg_install, not from each port\'s uname');
  assert.equal(entries.find((e) => e.pkgname === 'daemon-2.0')!.vars.get('USERGROUP_PHASE'), 'pre-install');
  assert.equal(entries.find((e) => e.pkgname === 'etcview-1.0')!.vars.get('CATEGORIES'), 'devel passwd-readable shadow-hidden',
    'the scan sees what anyone may read of /etc, whoever runs kiln');
  assert.equal(entries.find((e) => e.pkgname === 'bootstrap-thing-1.0')!.vars.get('BOOTSTRAP_PKG'), 'yes');
  assert.equal(entries.find((e) => e.pkgname === 'secret-1.0')!.vars.get('NO_BIN_ON_FTP'), 'Not to be put on an FTP server');
});

void test('closure mode scans the listed ports and their dependencies, MULTI_VERSION ports whole, nothing else', { skip: noBmake }, async (t) => {
  const { dir, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = await kiln(['scan', '--driver', 'pkgsrc', '--tree', fixtureTree, '--bootstrap-kit', kit, 'lang/py-thing']);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(parseIndex(run.stdout).entries.map((e) => `${e.vars.get('PKG_LOCATION')} ${e.pkgname}`),
    ['devel/hello hello-1.0', 'devel/libfoo libfoo-1.2', 'lang/py-thing py311-thing-1.0', 'lang/py-thing py310-thing-1.0']);
});

void test('the cache reuses a block while no file of its SCAN_DEPENDS changed content, and the kit is part of what was read', { skip: noBmake }, async (t) => {
  const { dir, tree, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A port whose scan gives a new PKGNAME each time it really runs.
  await cp(path.join(tree, 'devel/osname'), path.join(tree, 'devel/dice'), { recursive: true });
  await writeFile(path.join(tree, 'devel/dice/Makefile'),
    'PKGNAME!=\techo dice-1.$$(od -An -N4 -tu4 /dev/urandom | tr -d " ")\nCATEGORIES=\tdevel\n\n.include "../../mk/bsd.pkg.mk"\n');
  await appendFile(path.join(tree, 'devel/Makefile'), 'SUBDIR+=\tdice\n');
  const cache = path.join(dir, 'cache');
  const dice = async (kitFile = kit): Promise<string> => {
    const run = await kiln(['scan', '--tree', tree, '--bootstrap-kit', kitFile, '--cache', cache, 'devel/dice', 'devel/hello']);
    assert.equal(run.status, 0, run.stderr);
    return parseIndex(run.stdout).entries.find((e) => e.pkgname.startsWith('dice-'))!.pkgname;
  };
  const first = await dice();
  assert.equal(await dice(), first, 'unchanged: from the cache');
  await appendFile(path.join(tree, 'devel/hello/Makefile'), '# another port changed\n');
  assert.equal(await dice(), first, 'another port\'s Makefile is not in its SCAN_DEPENDS');
  await appendFile(path.join(tree, 'mk/bsd.prefs.mk'), '# a comment\n');
  const second = await dice();
  assert.notEqual(second, first, 'an mk file it read changed');
  assert.equal(await dice(), second);
  await writeFile(path.join(tree, 'devel/dice/DESCR'), 'a new file in the port directory\n');
  const third = await dice();
  assert.notEqual(third, second, 'the port directory gained a file');
  const kitDir = path.join(dir, 'kit2');
  await cp(path.join(fixture, 'kit'), kitDir, { recursive: true, verbatimSymlinks: true });
  await appendFile(path.join(kitDir, 'usr/pkg/etc/mk.conf'), 'PKG_DEVELOPER=\tyes\n');
  assert.notEqual(await dice(makeKit(dir, kitDir, 'kit2.tgz')), third, 'another kit: another mk.conf, another bmake');
});

void test('KILN_HOST_FEATURES and PKGSRC_COMPILER=distcc, set in mk.conf per PKGPATH, end the port\'s blocks as HOST_FEATURES and USE_DISTCC=yes; the rest is pbulk\'s blocks unchanged', { skip: noBmake }, async (t) => {
  const { dir, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kitDir = path.join(dir, 'kit2');
  await cp(path.join(fixture, 'kit'), kitDir, { recursive: true, verbatimSymlinks: true });
  await appendFile(path.join(kitDir, 'usr/pkg/etc/mk.conf'), [
    '.if ${PKGPATH} == "devel/hello" || ${PKGPATH} == "lang/py-thing"', 'KILN_HOST_FEATURES=\tbig-parallel kvm', '.endif',
    '.if ${PKGPATH} == "devel/osname"', 'KILN_HOST_FEATURES=\tbig/parallel', '.endif',
    '.if ${PKGPATH} == "devel/daemon" || ${PKGPATH} == "devel/libfoo"', 'PKGSRC_COMPILER=\tdistcc gcc', '.endif',
    '.if ${PKGPATH} == "devel/libfoo"', 'USE_LANGUAGES=\t# none: distcc.mk leaves it alone', '.endif', ''].join('\n'));
  const ports = ['lang/py-thing', 'devel/osname', 'devel/daemon'];
  const plain = await kiln(['scan', '--tree', fixtureTree, '--bootstrap-kit', kit, ...ports]);
  const run = await kiln(['scan', '--tree', fixtureTree, '--bootstrap-kit', makeKit(dir, kitDir, 'kit2.tgz'), ...ports]);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^kiln scan: devel\/osname: KILN_HOST_FEATURES \(mk\.conf\) entry "big\/parallel" is not a feature name: use letters, .*features=$/m, 'a bad name fails that port, saying so');
  const entries = parseIndex(run.stdout).entries;
  const features = new Map(entries.map((e) => [e.pkgname, e.vars.get('HOST_FEATURES')]));
  assert.deepEqual(Object.fromEntries(features), {
    'hello-1.0': 'big-parallel kvm', 'libfoo-1.2': undefined, 'daemon-2.0': undefined, 'osname': undefined,
    'py311-thing-1.0': 'big-parallel kvm', 'py310-thing-1.0': 'big-parallel kvm',
  }, 'every MULTI_VERSION block of a PKGPATH');
  assert.deepEqual(entries.filter((e) => e.vars.get('USE_DISTCC') === 'yes').map((e) => e.pkgname), ['daemon-2.0'],
    'the port distcc.mk compiles through distcc; not one that uses no C (libfoo), nor the others');
  const others = (index: string): string => index.split(/(?=^PKGNAME=)/m).filter((b) => !/PKG_LOCATION=devel\/(osname|daemon|libfoo)\n/.test(b)).join('');
  assert.equal(others(run.stdout).replace(/^HOST_FEATURES=.*\n/gm, ''), others(plain.stdout), 'pbulk\'s blocks, byte for byte');
});

void test('pkgsrc options on a Portfile tree, and a bad --driver, are usage errors', async () => {
  const portfile = await kiln(['scan', '--tree', 'examples', '--make', '/usr/bin/bmake']);
  assert.equal(portfile.status, 2);
  assert.match(portfile.stderr, /--make and --bootstrap-kit are for pkgsrc trees/);
  const bad = await kiln(['scan', '--tree', 'examples', '--driver', 'ports']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--driver wants portfile or pkgsrc, not 'ports'/);
});
