// pbulk's scan clients: `kiln scan --hosts` scans ports on namespaced hosts
// (each port's files and the tree's shared files go over ssh; the host's
// agent runs kiln's own Portfile scan in its sandbox) and writes the very
// index a scan on this machine writes. A port that reads a file the host
// was not given, and the ports of a host that is refused, are scanned here.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { makeTree } from '../support/fixture-tree.js';
import { EXAMPLES, startKiln } from '../support/kiln-process.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;

interface Scan {
  readonly code: number | null;
  readonly index: string;
  /** host → ports it scanned, from the last stderr line. */
  readonly by: ReadonlyMap<string, number>;
  readonly stderr: string;
}

async function scan(args: readonly string[]): Promise<Scan> {
  const kiln = startKiln(['scan', ...args]);
  const stdout: string[] = [];
  kiln.child.stdout?.on('data', (b: Buffer) => stdout.push(b.toString('utf8')));
  const code = await kiln.exited;
  const counts = kiln.lines.find((l) => l.startsWith('kiln scan: ports scanned ')) ?? '';
  const by = new Map([...counts.matchAll(/on (\S+): (\d+)/g)].map((m) => [m[1] ?? '', Number(m[2])]));
  return { code, index: stdout.join(''), by, stderr: kiln.lines.filter((l) => !/^[A-Z_]+=/.test(l)).join('\n') };
}

const host = (i: number): NetnsHost => cluster.hosts[i] ?? assert.fail(`no host ${i}`);

async function hostsFile(lines: readonly string[]): Promise<string> {
  const file = join(work, `hosts-${lines.length}-${Date.now()}`);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-rscan-'));
  await chmod(work, 0o755);
  cluster = await createCluster({ prefix: 'krs', subnet: 42, hosts: 2 });
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

void test('the example tree scanned on two hosts gives the index of a scan here, byte for byte', { skip, timeout: 120_000 }, async () => {
  const here = await scan(['--tree', EXAMPLES, '--jobs', '2']);
  assert.equal(here.code, 0, here.stderr);
  const file = await hostsFile([`${host(0).name} jobs=2`, `${host(1).name} jobs=2`]);
  const there = await scan(['--tree', EXAMPLES, '--jobs', '0', '--hosts', file, '--ssh-config', cluster.sshConfig]);
  assert.equal(there.code, 0, there.stderr);
  assert.equal(there.index, here.index);
  assert.equal(there.by.get('localhost'), 0, there.stderr);
  assert.ok((there.by.get(host(0).name) ?? 0) > 0 && (there.by.get(host(1).name) ?? 0) > 0, there.stderr);
  assert.equal((there.by.get(host(0).name) ?? 0) + (there.by.get(host(1).name) ?? 0), 30);
});

void test('a file the port sources from the tree goes along; one from another port is not there, so that port is scanned here', { skip, timeout: 120_000 }, async () => {
  const tree = join(work, 'sourcing');
  await makeTree(tree, {
    mk: { 'version.sh': 'VERSION=2.5\n' },
    'cat/shared': { Portfile: 'source ../../mk/version.sh\nPKGNAME=shared-$VERSION\nCOMMENT="reads mk/version.sh"\n' },
    'cat/other': { Portfile: 'PKGNAME=other-1.0\n', 'common.sh': 'EXTRA=from-other\n' },
    'cat/borrower': { Portfile: 'source ../other/common.sh\nPKGNAME=borrower-1.0\nCOMMENT="$EXTRA"\n' },
    'cat/broken': { Portfile: 'PKGNAME=broken-1.0\nif then\n' },
  });
  const here = await scan(['--tree', tree, '--jobs', '1']);
  const file = await hostsFile([`${host(0).name} jobs=2`]);
  const there = await scan(['--tree', tree, '--jobs', '0', '--hosts', file, '--ssh-config', cluster.sshConfig]);
  assert.equal(here.code, 1, 'the broken port cannot be scanned');
  assert.equal(there.code, here.code);
  assert.equal(there.index, here.index);
  assert.match(there.index, /^PKGNAME=shared-2\.5$/m);
  assert.match(there.index, /^COMMENT=from-other$/m);
  assert.equal(there.by.get(host(0).name), 2, `shared and other on the host: ${there.stderr}`);
  assert.equal(there.by.get('localhost'), 2, 'borrower and broken scanned again here');
});

void test('a host that is refused scans nothing; its share is scanned by the others', { skip, timeout: 120_000 }, async () => {
  const here = await scan(['--tree', EXAMPLES, '--jobs', '2']);
  const file = await hostsFile([`nobody@${host(1).address} jobs=2 timeout=3`, `${host(0).name} jobs=1`]);
  const there = await scan(['--tree', EXAMPLES, '--jobs', '0', '--hosts', file, '--ssh-config', cluster.sshConfig]);
  assert.equal(there.index, here.index);
  assert.match(there.stderr, new RegExp(`nobody@${host(1).address.replaceAll('.', '\\.')} does not scan: .*Permission denied`));
  assert.equal(there.by.get(host(0).name), 30);
});
