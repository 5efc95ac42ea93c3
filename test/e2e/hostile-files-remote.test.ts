// The hostile ports of hostile-files.test.ts built on a host reached over
// ssh (a network namespace with its own sshd, kiln's agent shipped there):
// the same canaries untouched, no secret in any package, and each port's
// fault, found on the coordinator while its files are sent or on the host
// while it builds, fails it with a log saying why; nothing is taken for
// host trouble, and the plain ports build there.

import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { leaksIn, LONG_PKGNAME, plantCanaries, writeHostileTree } from '../support/hostile-tree.js';
import { clusterUnavailable, createCluster, type NetnsCluster } from '../support/netns-hosts.js';
import { kiln, type KilnRun } from './scan-fixtures.js';

interface ReportPackage {
  readonly pkgname: string; readonly pkgpath: string; readonly status: string; readonly phase: string | null;
  readonly host: string | null; readonly log: string | null;
}

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;
let canaries: ReturnType<typeof plantCanaries>;
let run: KilnRun;
let report: { packages: ReportPackage[] };

const pkg = (pkgpath: string): ReportPackage => report.packages.find((p) => p.pkgpath === pkgpath) ?? assert.fail(`${pkgpath} is not in report.json`);
const logOf = (p: ReportPackage): Promise<string> => readFile(join(work, 'logs', p.log ?? assert.fail(`${p.pkgpath} has no log`)), 'utf8');

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-hostile-remote-'));
  await chmod(work, 0o755);
  canaries = plantCanaries(work);
  writeHostileTree(join(work, 'tree'), join(work, 'outside'), canaries);
  cluster = await createCluster({ prefix: 'khf', subnet: 61, hosts: 1 });
  const hosts = join(work, 'hosts');
  await writeFile(hosts, `${cluster.hosts[0]!.name} jobs=2\n`);
  run = await kiln(['build', '--tree', join(work, 'tree'), '--hosts', hosts, '--ssh-config', cluster.sshConfig,
    '--logdir', join(work, 'logs'), '--packages', join(work, 'packages'), '--plain']);
  report = JSON.parse(await readFile(join(work, 'logs/report.json'), 'utf8')) as typeof report;
});

after(async () => {
  if (skip) return;
  canaries.remove();
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

void test('on a remote host: the canaries untouched, no secret in any package, each hostile port failed by its own fault with a log', { skip, timeout: 300_000 }, async () => {
  assert.deepEqual(canaries.changed(), []);
  assert.deepEqual(leaksIn(join(work, 'packages/All'), canaries.secrets), []);
  const host = cluster.hosts[0]!.name;
  for (const pkgpath of ['misc/plain', 'hostile/longname']) assert.deepEqual([pkg(pkgpath).status, pkg(pkgpath).host], ['done', host], run.stdout);
  assert.equal(pkg('hostile/longname').pkgname, LONG_PKGNAME);
  // Found while the port's files are sent: a link out of the port, a FIFO, a name that is not UTF-8.
  const sent: Array<[string, RegExp]> = [['hostile/links', /link is a link out of the port/], ['hostile/fifo', /pipe is neither a file/], ['hostile/badname', /not UTF-8/]];
  for (const [pkgpath, said] of sent) {
    assert.deepEqual([pkg(pkgpath).status, pkg(pkgpath).phase], ['failed', 'transfer'], pkgpath);
    assert.match(await logOf(pkg(pkgpath)), said, pkgpath);
  }
  // Found by the packager on the host.
  const packaged: Array<[string, RegExp]> = [['hostile/optlink', /refused: \$DESTDIR\/opt is a symlink/], ['hostile/fifoinstall', /share\/pipe is a FIFO/], ['hostile/badinstall', /not UTF-8/]];
  for (const [pkgpath, said] of packaged) {
    assert.deepEqual([pkg(pkgpath).status, pkg(pkgpath).phase], ['failed', 'package'], pkgpath);
    assert.match(await logOf(pkg(pkgpath)), said, pkgpath);
  }
  assert.doesNotMatch(await readFile(join(work, 'logs/build.log'), 'utf8'), /lost/, 'a job was taken for host trouble');
  assert.equal(run.status, 1, run.stderr);
});
