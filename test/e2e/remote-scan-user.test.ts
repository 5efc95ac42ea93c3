// Scans on hosts reached as root: the agent runs as root there, and a
// Portfile's top level or a pkgsrc Makefile is code from the tree. Each
// tree here holds a port that reads a root-only canary of the host into
// its metadata; `kiln scan --hosts` must scan it on the host as the build
// user, so the index says "Permission denied" and never holds the canary,
// and the tree's other ports scan as they do here.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIndex } from '../../src/core/formats/pbulk-index.js';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { makeTree } from '../support/fixture-tree.js';
import { KILN } from '../support/kiln-process.js';
import { runCommand } from '../support/run-command.js';
import { fixtureCopy, noBmake } from './pkgsrc-fixture.js';

const skip = clusterUnavailable();
const token = randomBytes(5).toString('hex');
const canary = `/usr/share/kiln-remote-scan-canary-${token}`;
const secret = `canary ${token}`;
let cluster: NetnsCluster;
let work: string;

const host = (): NetnsHost => cluster.hosts[0] ?? assert.fail('no host');

async function scan(args: readonly string[]): Promise<{ code: number | null; index: string; stderr: string; by: string }> {
  const r = await runCommand(process.execPath, [KILN, 'scan', ...args]);
  return { code: r.code, index: r.stdout.toString('utf8'), stderr: r.stderr, by: /ports scanned (.*)$/m.exec(r.stderr)?.[1] ?? '' };
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-scan-user-'));
  await chmod(work, 0o755);
  cluster = await createCluster({ prefix: 'ksu', subnet: 63, hosts: 1 });
  // On the host (whose /usr is this machine's): root's own, as /etc/shadow is.
  const planted = await cluster.exec(host(), ['sh', '-c', `umask 077 && printf '%s\\n' '${secret}' >${canary}`]);
  assert.equal(planted.code, 0, planted.stderr);
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
  await rm(canary, { force: true });
});

void test('a Portfile scanned on a host reached as root cannot read the host\'s root-only files into the index', { skip, timeout: 120_000 }, async () => {
  const tree = join(work, 'portfiles');
  await makeTree(tree, {
    'misc/thief': { Portfile: `PKGNAME=thief-1.0\nCOMMENT="read: $(cat ${canary} 2>&1 || :)"\n` },
    'misc/plain': { Portfile: 'PKGNAME=plain-1.0\nCOMMENT="a plain port"\n' },
  });
  const hosts = join(work, 'portfile.hosts');
  await writeFile(hosts, `root@${host().name} jobs=2\n`);
  const there = await scan(['--tree', tree, '--jobs', '0', '--hosts', hosts, '--ssh-config', cluster.sshConfig]);
  assert.equal(there.code, 0, there.stderr);
  assert.equal(there.by, `on localhost: 0, on root@${host().name}: 2`, there.stderr);
  assert.equal(there.index.includes(secret), false, 'the canary is not in the index');
  assert.match(there.index, /^COMMENT=read: cat: .*: Permission denied$/m);
  assert.match(there.index, /^PKGNAME=plain-1\.0$/m);
  assert.match(there.index, /^COMMENT=a plain port$/m);
});

void test('a pkgsrc Makefile scanned on a host reached as root cannot read the host\'s root-only files into the index', {
  skip: skip ?? noBmake, timeout: 120_000,
}, async (t) => {
  const { dir, tree, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  await mkdir(join(tree, 'devel/thief'));
  await writeFile(join(tree, 'devel/thief/Makefile'),
    `_STOLEN!=\tcat ${canary} 2>&1 || :\nPKGNAME=\tthief-1.0\nCATEGORIES=\tdevel\nMAINTAINER=\tread: \${_STOLEN}\n\n.include "../../mk/bsd.pkg.mk"\n`);
  await appendFile(join(tree, 'devel/Makefile'), 'SUBDIR+=\tthief\n');
  const hosts = join(work, 'pkgsrc.hosts');
  await writeFile(hosts, `root@${host().name} jobs=2\n`);
  const there = await scan(['--tree', tree, '--bootstrap-kit', kit, '--jobs', '0', '--hosts', hosts, '--ssh-config', cluster.sshConfig,
    'devel/thief', 'devel/hello']);
  assert.equal(there.code, 0, there.stderr);
  assert.equal(there.by, `on localhost: 0, on root@${host().name}: 3`, there.stderr);
  assert.equal(there.index.includes(secret), false, 'the canary is not in the index');
  const entries = parseIndex(there.index).entries;
  assert.match(entries.find((e) => e.pkgname === 'thief-1.0')?.vars.get('MAINTAINER') ?? '', /^read: cat: .*: Permission denied$/);
  assert.deepEqual(entries.map((e) => e.pkgname), ['hello-1.0', 'libfoo-1.2', 'thief-1.0']);
});
