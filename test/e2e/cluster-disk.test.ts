// A remote job whose package cannot be received because the coordinator's
// repository is full: not the job's fault nor its host's. The real `kiln
// build --hosts` with a host in a network namespace and the repository on a
// small tmpfs: the job goes back to the queue without counting an attempt,
// the host stays up, nothing starts until space is freed, and then the run
// ends by itself with every package built.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { HistoryStore } from '../../src/store/history-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { BIG_PORTFILE, makeDurableTree } from '../support/durable-tree.js';
import { startKiln } from '../support/kiln-process.js';
import { clusterUnavailable, createCluster, type NetnsCluster } from '../support/netns-hosts.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;
let packages: string;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'kiln-e2e-cluster-disk-'));
  chmodSync(work, 0o755);
  cluster = await createCluster({ prefix: 'kcd', subnet: 44, hosts: 1 });
  packages = join(work, 'packages');
  mkdirSync(packages);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200m', 'tmpfs', packages], { encoding: 'utf8' });
  assert.equal(mount.status, 0, mount.stderr);
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  spawnSync('umount', ['-l', packages]);
  rmSync(work, { recursive: true, force: true });
});

const bigJobs = (logdir: string): [number, string | undefined][] => {
  const store = RunStore.openReadOnly(logdir);
  try {
    const run = store.latestRun();
    return run === undefined ? [] : store.jobs(run.id).filter((j) => j.pkgname === 'big-1.0').map((j) => [j.attempt, j.outcome]);
  } finally {
    store.close();
  }
};

void test('a package that does not fit in the repository: back to the queue uncounted, the host stays up, built once space is freed', { skip, timeout: 300_000 }, async () => {
  const tree = join(work, 'tree');
  await makeDurableTree(tree, { a: {} });
  mkdirSync(join(tree, 'cat', 'big'));
  writeFileSync(join(tree, 'cat', 'big', 'Portfile'), BIG_PORTFILE);
  mkdirSync(join(packages, 'All'));
  const { bavail, bsize } = statfsSync(packages);
  const filler = join(packages, 'filler');
  spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', `count=${Math.floor((bavail * bsize) / 2 ** 20) - 70}`]);
  const hosts = join(work, 'hosts');
  writeFileSync(hosts, `${cluster.hosts[0]!.name} jobs=1\n`);
  const logdir = join(work, 'logs');
  const kiln = startKiln(['build', '--tree', tree, '--logdir', logdir, '--packages', packages, '--hosts', hosts, '--ssh-config', cluster.sshConfig, '--plain']);
  await kiln.line(/big-1\.0 on \S+ goes back to the queue: cannot write the job's output on the coordinator: ENOSPC/, 120_000);
  await kiln.line(new RegExp(`warning: the repository ${packages} is short of space: [\\d.]+ MiB free, kiln needs \\d+ MiB there, [\\d.]+ MiB missing`), 5000);
  await sleep(4000); // more than one look at the free space
  assert.deepEqual(bigJobs(logdir), [[1, 'infrastructure']], 'no job started since');
  rmSync(filler);
  const code = await kiln.exited;
  const output = kiln.lines.join('\n');
  assert.equal(code, 0, output);
  assert.deepEqual(bigJobs(logdir), [[1, 'infrastructure'], [1, 'built']], 'the attempt that did not fit did not count');
  assert.doesNotMatch(output, /went down|quarantin|FAILED/, 'neither the host nor the package was blamed');
  assert.deepEqual(readdirSync(join(packages, 'All')).filter((n) => n.endsWith('.tgz')).sort(), ['a-1.0.tgz', 'big-1.0.tgz']);
  const store = RunStore.openReadOnly(logdir);
  try {
    const disk = new HistoryStore(store).records().filter((r) => r.pkgname === 'big-1.0').map((r) => r.diskMiB);
    assert.ok(disk.length === 1 && disk[0]! >= 150, `the host measured the job's 80 MiB blob twice over (work and destdir): ${String(disk)} MiB`);
  } finally {
    store.close();
  }
});
