// `kiln build --hosts` as a build farm runs it: hosts reached as root (the
// build user, nobody, cannot enter root's home), an agent directory chosen
// with `dir=`, a host that fails every job for its own reasons, and a fleet
// where no host can build. Real sshd in network namespaces, the real kiln.
// What must hold: a bad host never fails a package; a run without a usable
// host stops with exit 5, says why for each host, and resumes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { startKiln } from '../support/kiln-process.js';
import { buildResult, type Run } from '../support/build-result.js';
import { makeDurableTree } from '../support/durable-tree.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;
let tree: string;

/** Five ports, three deep: every job but the first needs packages built before it. */
const PORTS = { a: {}, b: { deps: ['a'] }, c: { deps: ['b'] }, d: { deps: ['a'] }, e: {} };
const ALL_DONE = Object.fromEntries(Object.keys(PORTS).map((p) => [`${p}-1.0`, 'done']));

const host = (i: number): NetnsHost => cluster.hosts[i] ?? assert.fail(`no host ${i}`);

async function hostsFile(name: string, lines: readonly string[]): Promise<string> {
  const file = join(work, `${name}.hosts`);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

async function build(name: string, hosts: string): Promise<Run> {
  const logdir = join(work, name, 'logs');
  const kiln = startKiln(['build', '--tree', tree, '--logdir', logdir, '--packages', join(work, name, 'packages'),
    '--plain', '--hosts', hosts, '--ssh-config', cluster.sshConfig]);
  return buildResult(logdir, join(work, name, 'packages', 'All'), await kiln.exited, kiln.lines);
}

const statuses = (run: Run): Record<string, string> => Object.fromEntries([...run.statuses].sort());
const output = (run: Run): string => run.lines.join('\n');

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-trust-'));
  await chmod(work, 0o755);
  tree = join(work, 'tree');
  await makeDurableTree(tree, PORTS);
  cluster = await createCluster({
    prefix: 'kct', subnet: 47,
    hosts: [{}, {}, { pathScripts: { bwrap: 'case "$*" in *" -- true") exec /usr/bin/bwrap "$@";; esac\necho "bwrap: Creating new namespace failed: broken on purpose" >&2\nexit 1' } }],
  });
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

void test('hosts reached as root build everything: the agent works where the build user can go', { skip, timeout: 300_000 }, async () => {
  const file = await hostsFile('root', [`root@${host(0).name} jobs=2`, `root@${host(1).name} jobs=2`]);
  const run = await build('root', file);
  assert.deepEqual(statuses(run), ALL_DONE, output(run).slice(-3000));
  assert.equal(run.code, 0);
  assert.deepEqual([...new Set(run.hosts.values())].sort(), [`root@${host(0).name}`, `root@${host(1).name}`], 'both hosts built');
});

void test('dir= puts the agent where it says, and the host builds there', { skip, timeout: 300_000 }, async () => {
  const dir = '/var/tmp/kiln-trust-agent';
  const file = await hostsFile('dir', [`root@${host(0).name} jobs=2 dir=${dir}`]);
  const run = await build('dir', file);
  assert.deepEqual(statuses(run), ALL_DONE, output(run).slice(-3000));
  const there = await cluster.exec(host(0), ['ls', dir, join(dir, 'agent')]);
  assert.match(there.stdout.toString(), /^agent$/m, there.stderr.toString());
  assert.match(there.stdout.toString(), /^jobs$/m);
  assert.match(there.stdout.toString(), /^[0-9a-f]{64}\.mjs$/m, 'the agent bundle is cached in dir=');
  assert.equal((await cluster.exec(host(0), ['stat', '-c', '%a %U', dir])).stdout.toString().trim(), '711 root');
});

void test('a host that fails every job is quarantined, the other host builds everything, and no package fails', { skip, timeout: 300_000 }, async () => {
  const bad = `root@${host(2).name}`;
  const file = await hostsFile('quarantine', [`${bad} jobs=2 sf=4`, `root@${host(0).name} jobs=1`]);
  const run = await build('quarantine', file);
  assert.deepEqual(statuses(run), ALL_DONE, output(run).slice(-3000));
  assert.equal(run.code, 0);
  assert.deepEqual([...new Set(run.hosts.values())], [`root@${host(0).name}`], 'everything was built on the good host');
  assert.match(output(run), new RegExp(`host ${bad} quarantined until \\d\\d:\\d\\d: 3 jobs in a row failed there for the host's reasons; the last: .*broken on purpose`));
  const log = await readFile(join(run.logdir, 'engine.log'), 'utf8');
  assert.match(log, new RegExp(`host ${bad} quarantined reason=.*until \\d\\d:\\d\\d`), 'engine.log has it');
  assert.doesNotMatch(output(run), /FAILED|failed cat\//);
});

void test('with only hosts that cannot build, the run stops with exit 5 saying why for each, fails no package, and the same command resumes it', { skip, timeout: 300_000 }, async () => {
  const theirs = '/var/tmp/kiln-trust-theirs';
  await cluster.exec(host(1), ['mkdir', '-p', theirs]); // root's, not the build user's
  const file = await hostsFile('nohost', [`root@${host(0).name} dir=/root/kiln-agent`, `${host(1).name} dir=${theirs}`]);
  const stopped = await build('nohost', file);
  assert.equal(stopped.code, 5, output(stopped).slice(-3000));
  const text = output(stopped);
  assert.match(text, /error: no host can take jobs/);
  assert.match(text, new RegExp(`error: host root@${host(0).name}: the build user \\(uid 65534\\) cannot search /root, on the way to /root/kiln-agent/jobs: give the host a directory`));
  assert.match(text, new RegExp(`error: host ${host(1).name}: .*the agent directory ${theirs} cannot be used: it belongs to uid 0, not to the login user`));
  assert.deepEqual([...stopped.statuses.values()].filter((s) => s.includes('failed')), [], 'no package failed for want of a host');

  await writeFile(file, `root@${host(0).name} jobs=2\n`);
  const resumed = await build('nohost', file);
  assert.deepEqual(statuses(resumed), ALL_DONE, output(resumed).slice(-3000));
  assert.equal(resumed.code, 0);
  assert.match(output(resumed), /run 1 resumed/, 'the same run goes on');
});
