// `kiln build` of the pkgsrc fixture: pbulk's stages with a log each, the
// dependencies pkg_add'ed into a PREFIX fresh from the kit, the port's build
// as the build user with PREFIX read-only, USERGROUP_PHASE in a /etc of the
// job's own, BOOTSTRAP_PKG without the test (de)install, MULTI_VERSION on
// bmake's command line, and pbulk's post-build: pkg_summary.{gz,bz2,xz},
// SHA512.bz2, pkg_files.gz, restricted.txt; then kiln publish on the result.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { phasesIn, phaseText } from '../support/job-logs.js';
import { fixtureCopy, fixtureTree, noBmake } from './pkgsrc-fixture.js';
import { kiln } from './scan-fixtures.js';

interface Row { pkgname: string; status: string; phase?: string; error?: string; reason?: string }

void test('kiln build on a pkgsrc tree, as pbulk builds it', { skip: noBmake }, async (t) => {
  const { dir, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const logdir = path.join(dir, 'logs');
  const packages = path.join(dir, 'packages');
  const all = path.join(packages, 'All');
  const run = await kiln(['build', '--tree', fixtureTree, '--bootstrap-kit', kit, '--jobs', '2', '--logdir', logdir, '--packages', packages, '--plain']);
  assert.equal(run.status, 1, `badconf fails to configure\n${run.stdout}\n${run.stderr}`);
  const rows = (JSON.parse(readFileSync(path.join(logdir, 'report.json'), 'utf8')) as { packages: Row[] }).packages;
  const status = Object.fromEntries(rows.map((r) => [r.pkgname, r.status]));
  const whole = (pkgname: string): Buffer => readFileSync(path.join(logdir, 'packages', `${pkgname}.log`));
  const log = (pkgname: string, phase: string): string => phaseText(whole(pkgname), phase) ?? '';
  const phases = (pkgname: string): string[] => phasesIn(whole(pkgname)).map((phase) => `${phase}.log`).sort();
  const contents = (file: string): string[] => execFileSync('tar', ['-tzf', path.join(all, file)], { encoding: 'utf8' }).trim().split('\n');

  await t.test('statuses and failures', () => {
    assert.deepEqual(status, {
      'badconf-0.1': 'failed', broken: 'prefailed', 'daemon-2.0': 'done', 'etcview-1.0': 'done', 'hello-1.0': 'done', 'libfoo-1.2': 'done', 'osname-1.0': 'done',
      'secret-1.0': 'done', 'kilnsh-1.0': 'done', 'usesecret-1.0': 'done', 'py310-thing-1.0': 'done', 'py311-thing-1.0': 'done',
      'bootstrap-thing-1.0': 'done', 'pkg_install-20171030': 'done',
    });
    const badconf = rows.find((r) => r.pkgname === 'badconf-0.1')!;
    assert.equal(badconf.phase, 'configure');
    assert.equal(badconf.error, 'configure error');
    assert.match(log('badconf-0.1', 'configure'), /configure: error: no frobnicator found/);
    assert.match(rows.find((r) => r.pkgname === 'broken')!.reason!, /devel\/broken is broken on purpose/);
  });

  await t.test('one log per stage, pbulk\'s stages; no test (de)install for a BOOTSTRAP_PKG; usergroup where USERGROUP_PHASE says', () => {
    const stages = ['build.log', 'checksum.log', 'configure.log', 'depends.log', 'install-test.log', 'install.log', 'package.log'];
    assert.deepEqual(phases('hello-1.0'), stages);
    assert.deepEqual(phases('bootstrap-thing-1.0'), stages.filter((stage) => stage !== 'install-test.log'));
    assert.match(log('hello-1.0', 'install-test'), /kiln: test install: pkg_add \/build\/destdir\/package\.tgz\npkg_add: installed hello-1\.0\nkiln: test deinstall: pkg_delete hello-1\.0\npkg_delete: removed hello-1\.0/);
    assert.deepEqual(phases('daemon-2.0'), [...stages, 'usergroup.log'].sort());
    assert.match(log('daemon-2.0', 'usergroup'), /Creating group kilnd/);
    assert.doesNotMatch(readFileSync('/etc/group', 'utf8'), /^kilnd:/m, 'the host\'s /etc is untouched');
  });

  await t.test('a package whose install script writes /etc is tested in a /etc of its own', () => {
    assert.match(log('kilnsh-1.0', 'package'), /the package has \+INSTALL: its test install gets a \/etc of its own/);
    assert.match(log('kilnsh-1.0', 'install-test'), /kilnsh: added to \/etc\/shells/);
    assert.doesNotMatch(readFileSync('/etc/shells', 'utf8'), /kilnsh/);
    assert.doesNotMatch(log('hello-1.0', 'package'), /of its own/, 'others share the host\'s, read-only');
  });

  await t.test('dependencies come from the repository by pkg_add; the build runs unprivileged (as root: nobody) with PREFIX read-only', () => {
    assert.match(log('hello-1.0', 'depends'), /kiln: a fresh \/usr\/pkg from the bootstrap kit\nkiln: pkg_add libfoo-1\.2\npkg_add: installed libfoo-1\.2/);
    const uid = process.getuid?.() === 0 ? 65534 : process.getuid?.();
    assert.match(log('hello-1.0', 'build'), new RegExp(`hello: building as uid ${uid}, MAKE_JOBS=[0-9]+`), 'hello\'s build.sh checks the rest and fails otherwise');
    assert.match(log('py311-thing-1.0', 'depends'), /pkg_add hello-1\.0\npkg_add: installed libfoo-1\.2\npkg_add: installed hello-1\.0/, 'pkg_add brings hello\'s own @pkgdep');
  });

  await t.test('MULTI_VERSION reaches bmake: one package per version from the one pkgpath', () => {
    assert.ok(contents('py311-thing-1.0.tgz').includes('bin/thing311'));
    assert.ok(contents('py310-thing-1.0.tgz').includes('bin/thing310'));
  });

  await t.test('post-build: pkg_summary.{gz,bz2,xz} from pkg_info -X, SHA512.bz2 beside All/ (pbulk\'s forms), pkg_files.gz, restricted.txt', () => {
    const built = rows.filter((r) => r.status === 'done').map((r) => `${r.pkgname}.tgz`).sort();
    const index = ['pkg_files.gz', 'pkg_summary.bz2', 'pkg_summary.gz', 'pkg_summary.xz'];
    assert.deepEqual(readdirSync(all).sort(), [...built, ...index].sort(), 'All/ holds the packages and index files, nothing else');
    assert.deepEqual(readdirSync(packages).sort(), ['All', 'SHA512.bz2', 'restricted.txt']);
    const summary = gunzipSync(readFileSync(path.join(all, 'pkg_summary.gz'))).toString('utf8');
    assert.equal(execFileSync('xz', ['-dc', path.join(all, 'pkg_summary.xz')], { encoding: 'utf8' }), summary);
    assert.equal(execFileSync('bzcat', [path.join(all, 'pkg_summary.bz2')], { encoding: 'utf8' }), summary);
    assert.deepEqual([...summary.matchAll(/^FILE_NAME=(.*)$/gm)].map((m) => m[1]), built);
    assert.match(summary, /^PKGNAME=hello-1\.0\nCOMMENT=Says hello, and checks the sandbox it is built in\nDEPENDS=libfoo>=1\.0\n/m);
    const sha512 = execFileSync('bzcat', [path.join(packages, 'SHA512.bz2')]);
    assert.match(sha512.toString('utf8'), /^SHA512 \(All\/hello-1\.0\.tgz\) = [0-9a-f]{128}$/m, 'digest(1)\'s lines, named from the repository\'s top as pbulk names them');
    const sums = execFileSync('sha512sum', ['--check', '--strict'], { cwd: packages, input: sha512, encoding: 'utf8' }).trim().split('\n');
    assert.equal(sums.length, built.length + 3, 'every package and the three summaries, each OK');
    assert.match(gunzipSync(readFileSync(path.join(all, 'pkg_files.gz'))).toString('utf8'), /^PKGNAME=libfoo-1\.2\nFILE_NAME=libfoo-1\.2\.tgz\nFILES=\/usr\/pkg\/lib\/libfoo\.txt\n\n/m);
    assert.equal(readFileSync(path.join(packages, 'restricted.txt'), 'utf8'),
      'secret-1.0\tRESTRICTED: Not to be put on an FTP server\nusesecret-1.0\tneeds secret-1.0\n'.replace('RESTRICTED: Not', 'NO_BIN_ON_FTP: Not'));
  });

  await t.test('kiln publish: the checks refuse before anything is sent; restricted packages and what needs them stay home', async () => {
    const target = path.join(dir, 'mirror');
    await mkdir(target);
    const publish = (...args: string[]) => kiln(['publish', '--packages', packages, ...args, target]);
    const few = await publish('--min', '11');
    assert.equal(few.status, 1);
    assert.match(few.stderr, /refused: only 10 packages to publish, fewer than the minimum of 11/);
    const held = await publish('--require', 'secret>=1');
    assert.match(held.stderr, /refused: the required secret>=1 is secret-1\.0, which is restricted/);
    assert.deepEqual(readdirSync(target), [], 'nothing was sent');
    const ok = await publish('--min', '10', '--require', 'hello>=1.0', '--require', 'py31[01]-thing-[0-9]*');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /10 packages to .*; left out, restricted: secret-1\.0 usesecret-1\.0/);
    const sent = readdirSync(path.join(target, 'All')).sort();
    assert.ok(!sent.includes('secret-1.0.tgz') && !sent.includes('usesecret-1.0.tgz') && sent.includes('hello-1.0.tgz'));
    const summary = gunzipSync(readFileSync(path.join(target, 'All', 'pkg_summary.gz'))).toString('utf8');
    assert.equal([...summary.matchAll(/^PKGNAME=/gm)].length, 10);
    assert.doesNotMatch(summary, /secret/);
    execFileSync('sha512sum', ['--check', '--strict'], { cwd: target, input: execFileSync('bzcat', [path.join(target, 'SHA512.bz2')]) });
    assert.ok(!existsSync(path.join(target, 'restricted.txt')));
  });
});

void test('a pkgsrc build without a bootstrap kit says what it needs', { skip: noBmake }, async () => {
  const run = await kiln(['build', '--tree', fixtureTree, '--make', '/usr/bin/bmake', '--logdir', '/nonexistent/logs']);
  assert.equal(run.status, 4);
  assert.match(run.stderr, /a pkgsrc build needs the bootstrap kit every job starts from: give --bootstrap-kit FILE/);
});

void test('a pkgsrc tree the build user cannot reach stops the build at once, saying which directory blocks it', { skip: noBmake }, async (t) => {
  const { dir, tree, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  execFileSync('chmod', ['0700', dir]); // the build user (nobody) cannot search it: every job there would fail reading the tree
  const run = await kiln(['build', '--tree', tree, '--bootstrap-kit', kit, '--jobs', '2', '--logdir', path.join(dir, 'logs'), '--packages', path.join(dir, 'packages'), '--plain']);
  assert.equal(run.status, 5, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, new RegExp(`host localhost refused: it cannot build the pkgsrc tree ${tree}: ${dir} is not searchable by the build user \\(uid \\d+\\); make the tree readable by all`));
  assert.match(run.stdout, /built 0 {2}up-to-date 0/);
});
