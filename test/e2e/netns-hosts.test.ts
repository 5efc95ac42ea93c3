// The test hosts themselves: ssh works key-only as the build user, no file is
// shared between hosts or with the coordinator, a cut link drops traffic and
// a restored one carries it again, and teardown leaves nothing behind.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLive, type HostProcess } from '../support/host-processes.js';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { mustRun, runCommand } from '../support/run-command.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let h1: NetnsHost;
let h2: NetnsHost;

const ssh = (host: string, command: string, extra: readonly string[] = []): ReturnType<typeof runCommand> =>
  runCommand('ssh', ['-F', cluster.sshConfig, ...extra, host, command], { timeoutMs: 20_000 });

before(async () => {
  if (skip) return;
  cluster = await createCluster({ prefix: 'knh', subnet: 21, hosts: [{}, { pathWithout: ['bwrap'] }] });
  [h1, h2] = cluster.hosts as [NetnsHost, NetnsHost];
});

after(async () => {
  if (!skip) await cluster.teardown();
});

void test('each host answers ssh as the build user, with its own hostname and /bin/sh', { skip }, async () => {
  const r = await ssh(h1.name, 'hostname; id -un; echo "$0"; command -v node');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.toString().trim().split('\n'), [h1.name, cluster.user, 'sh', '/usr/bin/node']);
  const byAddress = await ssh(h2.destination, 'hostname');
  assert.equal(byAddress.stdout.toString().trim(), h2.name);
});

void test('login is key-only: without the key, ssh is refused', { skip }, async () => {
  const r = await runCommand('ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(cluster.dir, 'known_hosts')}`,
    '-o', 'IdentitiesOnly=yes', '-o', 'IdentityFile=/dev/null', h1.destination, 'true'], { timeoutMs: 20_000 });
  assert.equal(r.code, 255);
  assert.match(r.stderr, /Permission denied \(publickey\)/);
});

void test('no shared filesystem: what one host writes, no other host and not the coordinator sees', { skip }, async () => {
  const w = await ssh(h1.name, 'echo one > "$HOME/proof" && echo one > /tmp/kiln-proof && cat "$HOME/proof" /tmp/kiln-proof');
  assert.equal(w.stdout.toString(), 'one\none\n', w.stderr);
  const other = await ssh(h2.name, 'ls -A "$HOME"; test -e /tmp/kiln-proof && echo visible || echo absent');
  assert.equal(other.stdout.toString(), 'absent\n');
  await assert.rejects(access(join(cluster.home, 'proof')));
  await assert.rejects(access('/tmp/kiln-proof'));
  const seen = await cluster.exec(h1, ['cat', join(cluster.home, 'proof')]);
  assert.equal(seen.stdout.toString(), 'one\n');
});

void test('a PATH without a command, for one host only', { skip }, async () => {
  assert.match((await ssh(h2.name, 'command -v bwrap || echo none; command -v node')).stdout.toString(), /^none\n\/\S+\/node\n$/);
  assert.equal((await ssh(h1.name, 'command -v bwrap')).stdout.toString(), '/usr/bin/bwrap\n');
});

void test('cut drops the link (the unreachable route keeps traffic here), restore brings it back', { skip }, async () => {
  await cluster.cut(h1);
  try {
    const start = Date.now();
    const r = await ssh(h1.name, 'true', ['-o', 'ConnectTimeout=2']);
    assert.equal(r.code, 255);
    assert.ok(Date.now() - start < 10_000);
    const route = await runCommand('ip', ['route', 'get', '10.231.21.200']);
    assert.match(route.stderr, /No route to host/);
  } finally {
    await cluster.restore(h1);
  }
  const back = await ssh(h1.name, 'hostname');
  assert.equal(back.stdout.toString().trim(), h1.name, back.stderr);
});

void test('processes() lists what runs on one host only', { skip }, async () => {
  const session = runCommand('ssh', ['-F', cluster.sshConfig, h1.name, 'exec sleep 30'], { timeoutMs: 30_000 });
  try {
    let sleeper: HostProcess | undefined;
    for (let i = 0; i < 100 && !sleeper; i++) {
      sleeper = (await cluster.processes(h1)).find((p) => p.cmdline === 'sleep 30' && isLive(p));
      if (!sleeper) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(sleeper, 'sleep is seen on h1');
    assert.equal(sleeper.uid, cluster.uid);
    assert.ok(!(await cluster.processes(h2)).some((p) => p.pid === sleeper.pid));
    process.kill(sleeper.pid, 'SIGTERM');
  } finally {
    await session;
  }
});

void test('the harness files are where it says', { skip }, async () => {
  const config = await readFile(cluster.sshConfig, 'utf8');
  assert.match(config, new RegExp(`Host ${h1.name}\\n  HostName ${h1.address.replace(/\./g, '\\.')}`));
  assert.ok((await cluster.processes(h1)).some((p) => p.pid === h1.sshdPid));
});

void test('teardown removes namespaces, sshds, the user, the route and the files', { skip }, async () => {
  const c = await createCluster({ prefix: 'knt', subnet: 22, hosts: 2 });
  const session = runCommand('ssh', ['-F', c.sshConfig, c.hosts[0]?.name ?? '', 'exec sleep 60'], { timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 500));
  await c.teardown();
  const r = await session;
  assert.notEqual(r.code, 0, 'the session ended with the host');
  const netns = (await mustRun('ip', ['netns', 'list'])).stdout.toString();
  assert.doesNotMatch(netns, /^knt\d/m);
  assert.doesNotMatch((await mustRun('ip', ['route'])).stdout.toString(), /10\.231\.22\./);
  assert.notEqual((await runCommand('id', [c.user])).code, 0);
  await assert.rejects(access(c.dir));
  for (const h of c.hosts) assert.throws(() => process.kill(h.sshdPid, 0));
});
