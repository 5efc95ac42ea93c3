// Hosts that cannot take jobs are refused before any job, each with a reason
// that says what to fix: node or bwrap missing from the build user's PATH,
// the wrong arch, a failing STARTUP script, too little disk, no route, no key.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectResult } from '../../src/exec/executor.js';
import { SshExecutor, type SshExecutorOptions } from '../../src/exec/ssh/ssh-executor.js';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { liveAsUser } from '../support/remote-jobs.js';
import { waitFor } from '../support/run-command.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let noNode: NetnsHost;
let noBwrap: NetnsHost;
let good: NetnsHost;
let work: string;
const signal = new AbortController().signal;

before(async () => {
  if (skip) return;
  cluster = await createCluster({ prefix: 'ksr', subnet: 25, hosts: [{ pathWithout: ['node'] }, { pathWithout: ['bwrap'] }, {}] });
  [noNode, noBwrap, good] = cluster.hosts as [NetnsHost, NetnsHost, NetnsHost];
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-refused-'));
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

async function tryConnect(destination: string, options: Partial<SshExecutorOptions> = {}): Promise<ConnectResult> {
  const e = new SshExecutor({ destination, sshConfig: cluster.sshConfig, connectTimeoutS: 3, ...options });
  try {
    return await e.connect(signal);
  } finally {
    await e.close();
  }
}

function reason(r: ConnectResult): string {
  assert.equal(r.ok, false, 'the host is refused');
  return r.ok ? '' : r.reason;
}

void test('node missing from the build user\'s PATH', { skip }, async () => {
  assert.match(reason(await tryConnect(noNode.name)), /^ksr1: node is not on the build user's PATH on this host \(kiln needs Node\.js 20 or later there\)$/);
});

void test('bubblewrap missing from the build user\'s PATH', { skip }, async () => {
  assert.match(reason(await tryConnect(noBwrap.name)), /^ksr2: no working bubblewrap: bwrap \(bubblewrap\) is not on PATH$/);
  assert.ok((await tryConnect(noBwrap.name, { requireBwrap: false })).ok, 'accepted when bubblewrap is not asked for');
});

void test('the wrong architecture for the hosts file\'s arch=', { skip }, async () => {
  assert.match(reason(await tryConnect(good.name, { arch: 'sparc64' })), /it is x86_64, the hosts file says arch=sparc64/);
  assert.ok((await tryConnect(good.name, { arch: 'x86_64' })).ok);
});

void test('too little free disk where the agent works', { skip }, async () => {
  assert.match(reason(await tryConnect(good.name, { minDiskFreeMiB: 1e12 })), /only \d+ MiB free where kiln works/);
});

void test('STARTUP runs on the host before it takes jobs; a failing one refuses the host with its output', { skip }, async () => {
  const ok = join(work, 'startup-ok.sh');
  await writeFile(ok, 'hostname > startup-ran\n');
  assert.ok((await tryConnect(good.name, { startup: ok })).ok);
  const ran = await cluster.exec(good, ['cat', join(cluster.home, '.kiln', 'startup-ran')]);
  assert.equal(ran.stdout.toString().trim(), good.name, 'the script ran on the host, in the agent\'s directory');
  const bad = join(work, 'startup-bad.sh');
  await writeFile(bad, 'echo "ccache is not set up" >&2; exit 4\n');
  assert.match(reason(await tryConnect(good.name, { startup: bad })), /the STARTUP script failed \(4\): ccache is not set up/);
  assert.match(reason(await tryConnect(good.name, { startup: join(work, 'nope.sh') })), /cannot read the STARTUP script .*nope\.sh/);
});

void test('no route to the host, and no key for it', { skip }, async () => {
  await cluster.cut(good);
  try {
    assert.match(reason(await tryConnect(good.name)), /^cannot connect to ksr3: .*(No route to host|timed out)/);
  } finally {
    await cluster.restore(good);
  }
  // Just after a restore, the neighbour entry may still be failed: ask again for a few seconds.
  let last = '';
  await waitFor(async () => { last = reason(await tryConnect(`nobody@${good.address}`)); return !/No route/.test(last); }, 10_000, 500);
  assert.match(last, /^cannot connect to nobody@10\.231\.25\.10: .*Permission denied \(publickey\)/);
});

void test('a refused host keeps nothing of kiln running', { skip }, async () => {
  await tryConnect(noBwrap.name);
  assert.ok(await waitFor(async () => (await liveAsUser(cluster, noBwrap)).filter((p) => p.comm !== 'sshd').length === 0, 5000));
});
