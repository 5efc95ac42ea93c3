// `kiln build --hosts` of the pkgsrc fixture on two namespaced hosts that
// hold no pkgsrc tree, no bootstrap kit and no distfiles: before a host
// takes a job, the kit goes there and its tools must run, and the tree is
// made ready there by content hash; each job carries its port's files and
// its distfiles. The statuses, the stages and the packages are those of the
// same build on this machine; a scan on the hosts gives the index of a scan
// here.

import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { phasesIn, phaseText } from '../support/job-logs.js';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { KILN, startKiln } from '../support/kiln-process.js';
import { buildResult, contentsOf, type Run } from '../support/build-result.js';
import { mustRun, runCommand } from '../support/run-command.js';
import { fixtureCopy, noBmake } from './pkgsrc-fixture.js';

const skip = clusterUnavailable() ?? noBmake;
let cluster: NetnsCluster;
let work: { dir: string; tree: string; kit: string };
let local: Run;

const DISTFILE = 'fetched data, from DISTDIR\n';

const host = (i: number): NetnsHost => cluster.hosts[i] ?? assert.fail(`no host ${i}`);

async function build(name: string, args: readonly string[], kit = work.kit): Promise<Run> {
  const logdir = join(work.dir, name, 'logs');
  const kiln = startKiln(['build', '--tree', work.tree, '--bootstrap-kit', kit, '--logdir', logdir,
    '--packages', join(work.dir, name, 'packages'), '--plain', ...args]);
  return buildResult(logdir, join(work.dir, name, 'packages', 'All'), await kiln.exited, kiln.lines);
}

/** A port that includes a file of another port's directory and builds from a distfile. */
async function addFetchedPort(tree: string): Promise<void> {
  await writeFile(join(tree, 'devel', 'libfoo', 'buildlink3.mk'), 'DEPENDS+=\tlibfoo>=1.0:../../devel/libfoo\n');
  const port = join(tree, 'devel', 'fetched');
  await mkdir(join(port, 'files'), { recursive: true });
  await writeFile(join(port, 'Makefile'), [
    'PKGNAME=\tfetched-1.0', 'DISTFILES=\tfetched-1.0.txt', 'CATEGORIES=\tdevel', 'COMMENT=\tBuilt from a distfile', '',
    '.include "../../devel/libfoo/buildlink3.mk"', '.include "../../mk/bsd.pkg.mk"', '',
  ].join('\n'));
  const sha512 = createHash('sha512').update(DISTFILE).digest('hex');
  await writeFile(join(port, 'distinfo'), `$NetBSD$\n\nSHA512 (fetched-1.0.txt) = ${sha512}\nSize (fetched-1.0.txt) = ${Buffer.byteLength(DISTFILE)} bytes\n`);
  await writeFile(join(port, 'files', 'build.sh'), 'set -e\ncp "$DISTDIR/fetched-1.0.txt" fetched.txt\n');
  await writeFile(join(port, 'files', 'install.sh'), 'set -e\nmkdir -p "$DESTDIR$PREFIX/share"\ncp fetched.txt "$DESTDIR$PREFIX/share/fetched"\n');
  const category = join(tree, 'devel', 'Makefile');
  await writeFile(category, (await readFile(category, 'utf8')).replace('SUBDIR+=\thello\n', 'SUBDIR+=\tfetched\nSUBDIR+=\thello\n'));
  await mkdir(join(tree, 'distfiles'), { recursive: true });
  await writeFile(join(tree, 'distfiles', 'fetched-1.0.txt'), DISTFILE);
}

before(async () => {
  if (skip) return;
  work = await fixtureCopy();
  await chmod(work.dir, 0o755); // local builds run as nobody
  await addFetchedPort(work.tree);
  cluster = await createCluster({ prefix: 'kpc', subnet: 43, hosts: 2 });
  local = await build('local', ['--jobs', '2']);
  assert.equal(local.statuses.get('fetched-1.0'), 'done', local.lines.slice(-30).join('\n'));
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work.dir, { recursive: true, force: true });
});

void test('the pkgsrc fixture built on two hosts without a tree: the statuses, stages and packages of a local build', { skip, timeout: 300_000 }, async () => {
  const hosts = join(work.dir, 'two.hosts');
  await writeFile(hosts, `${host(0).name} jobs=2\n${host(1).name} jobs=2\n`);
  const run = await build('two', ['--hosts', hosts, '--ssh-config', cluster.sshConfig]);
  assert.deepEqual(Object.fromEntries([...run.statuses].sort()), Object.fromEntries([...local.statuses].sort()), run.lines.slice(-30).join('\n'));
  assert.equal(run.code, local.code, 'the same exit status (badconf fails to configure)');
  assert.deepEqual([...new Set(run.hosts.values())].sort(), [host(0).name, host(1).name], 'both hosts built, and nothing was built here');
  const there = await contentsOf(run.all);
  const here = await contentsOf(local.all);
  assert.deepEqual([...there.keys()], [...here.keys()], 'the same package files');
  for (const [name, contents] of here) assert.deepEqual(there.get(name), contents, `${name}: the same files, bytes (MD5s) and metadata`);
  const stages = async (logdir: string, pkgname: string): Promise<string[]> => phasesIn(await readFile(join(logdir, 'packages', `${pkgname}.log`))).sort();
  for (const pkgname of ['hello-1.0', 'daemon-2.0', 'bootstrap-thing-1.0', 'fetched-1.0']) {
    assert.deepEqual(await stages(run.logdir, pkgname), await stages(local.logdir, pkgname), `${pkgname}: the same stages`);
  }
  assert.match(phaseText(await readFile(join(run.logdir, 'packages', 'fetched-1.0.log')), 'checksum') ?? '', /Checksum OK for fetched-1\.0\.txt/);
  const fetched = await mustRun('tar', ['-xzOf', join(run.all, 'fetched-1.0.tgz'), 'share/fetched']);
  assert.equal(fetched.stdout.toString('utf8'), DISTFILE, 'the distfile reached the host');
  for (const h of [host(0), host(1)]) {
    const ls = async (dir: string): Promise<string[]> =>
      (await cluster.exec(h, ['sh', '-c', `ls ${join(cluster.home, '.kiln', dir)} 2>/dev/null || true`], { asUser: true })).stdout.toString().split('\n').filter((l) => l !== '');
    assert.deepEqual(await ls('jobs'), [], `no job directory left on ${h.name}`);
    assert.equal((await ls('trees')).length, 1, `one tree on ${h.name}`);
  }
  const kept = Object.keys(JSON.parse(await readFile(join(run.logdir, 'tree-hashes.json'), 'utf8')) as object);
  assert.ok(kept.some((path) => path.endsWith('/mk/bsd.pkg.mk')), 'the tree\'s file hashes are kept for the next run');
});

void test('pbulk\'s scan clients: the pkgsrc fixture scanned on the two hosts gives the index of a scan here, byte for byte', { skip, timeout: 120_000 }, async () => {
  const scan = async (args: readonly string[]): Promise<{ code: number | null; index: string; stderr: string }> => {
    const r = await runCommand(process.execPath, [KILN, 'scan', '--tree', work.tree, '--bootstrap-kit', work.kit, ...args]);
    return { code: r.code, index: r.stdout.toString('utf8'), stderr: r.stderr };
  };
  const here = await scan(['--jobs', '2']);
  const hosts = join(work.dir, 'scan.hosts');
  await writeFile(hosts, `${host(0).name} jobs=2\n${host(1).name} jobs=2\n`);
  const there = await scan(['--jobs', '0', '--hosts', hosts, '--ssh-config', cluster.sshConfig]);
  assert.equal(there.code, here.code, there.stderr);
  assert.equal(there.index, here.index);
  const by = /ports scanned (.*)$/m.exec(there.stderr)?.[1] ?? '';
  assert.match(there.stderr, /devel\/broken is broken on purpose/);
  assert.match(by, /on localhost: 1,/, 'only devel/broken, whose scan fails on the host, is scanned again here');
  for (const h of [host(0), host(1)]) assert.match(by, new RegExp(`on ${h.name}: [1-9]`), there.stderr);
});

void test('a pkgsrc port whose mk.conf sets KILN_HOST_FEATURES is built on the host offering them, which builds nothing else', { skip, timeout: 120_000 }, async () => {
  const kitDir = join(work.dir, 'featurekit');
  await mkdir(kitDir);
  await mustRun('tar', ['-xzf', work.kit, '-C', kitDir]);
  await appendFile(join(kitDir, 'usr', 'pkg', 'etc', 'mk.conf'), '.if ${PKGPATH} == "devel/hello"\nKILN_HOST_FEATURES=\tbig-parallel\n.endif\n');
  const kit = join(work.dir, 'featurekit.tgz');
  await mustRun('tar', ['-czf', kit, '-C', kitDir, '.']);
  const hosts = join(work.dir, 'features.hosts');
  await writeFile(hosts, `${host(0).name} jobs=1 features=big-parallel mandatory=big-parallel\n${host(1).name} jobs=2\n`);
  const run = await build('features', ['--hosts', hosts, '--ssh-config', cluster.sshConfig, 'devel/hello'], kit);
  assert.equal(run.code, 0, run.lines.slice(-30).join('\n'));
  assert.deepEqual(Object.fromEntries(run.hosts), { 'libfoo-1.2': host(1).name, 'hello-1.0': host(0).name });
});

void test('a host where the kit\'s tools cannot run is refused before any job, saying why', { skip, timeout: 120_000 }, async () => {
  // A kit built for another machine: its pkg_info is not a program this host can run.
  const kitDir = join(work.dir, 'badkit');
  await mkdir(kitDir);
  await mustRun('tar', ['-xzf', work.kit, '-C', kitDir]);
  const pkgInfo = join(kitDir, 'usr', 'pkg', 'sbin', 'pkg_info');
  await rm(pkgInfo);
  await writeFile(pkgInfo, Buffer.from('\x7fELF\x02\x01\x01 for another machine'), { mode: 0o755 });
  const badKit = join(work.dir, 'badkit.tgz');
  await mustRun('tar', ['-czf', badKit, '-C', kitDir, '.']);
  const hosts = join(work.dir, 'bad.hosts');
  await writeFile(hosts, `${host(0).name} jobs=1\n`);
  const kiln = startKiln(['build', '--tree', work.tree, '--bootstrap-kit', badKit, '--logdir', join(work.dir, 'bad', 'logs'),
    '--packages', join(work.dir, 'bad', 'packages'), '--plain', '--hosts', hosts, '--ssh-config', cluster.sshConfig, 'devel/libfoo']);
  await kiln.line(new RegExp(`host ${host(0).name} refused: ${host(0).name}: the bootstrap kit does not work here: /usr/pkg/sbin/pkg_info does not run here: `), 60_000);
  assert.equal(await kiln.exited, 5, 'no host could build');
  assert.ok(kiln.lines.some((l) => l.includes(`error: host ${host(0).name}: the bootstrap kit`)), 'the reason once more, with the host\'s name, as the run stops');
  const left = await cluster.exec(host(0), ['sh', '-c', `ls ${join(cluster.home, '.kiln')} | grep -c kit-check || true`], { asUser: true });
  assert.equal(left.stdout.toString().trim(), '0', 'the unpacked kit is gone from the host');
});
