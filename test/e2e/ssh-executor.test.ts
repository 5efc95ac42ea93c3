// Jobs on remote hosts through real OpenSSH to sshds in network namespaces:
// the port and its dependencies travel to the host (once per host), the log
// streams back live, the package and logs come back byte-identical, failures
// and cancels are reported, and nothing is left running on the host.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshExecutor } from '../../src/exec/ssh/ssh-executor.js';
import type { DependencyPackage } from '../../src/job/build-job.js';
import { buildDependency, jobFor, makeTree, portfile, recordingWatcher, seededBytes } from '../support/fixture-tree.js';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { liveAsUser, liveInGroup, liveJobProcesses, waitForJobLeader, waitForSleeps } from '../support/remote-jobs.js';
import { phaseOutput, phaseText } from '../support/job-logs.js';
import { isRunning } from '../support/host-processes.js';
import { mustRun, waitFor } from '../support/run-command.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let h1: NetnsHost;
let h2: NetnsHost;
let work: string;
let tree: string;
let out: string;
let executor: SshExecutor;
const payload = seededBytes(1 << 20, 7);
let dep: DependencyPackage;
let dep2: DependencyPackage;
const signal = new AbortController().signal;

/** A port that installs `blob.bin` (its own file) as share/<name>/blob.bin: a dependency of the others. */
const blobPort = (pkgname: string, name: string): string => portfile(pkgname, {
  install: `mkdir -p "$DESTDIR$PREFIX/share/${name}"\ncp blob.bin "$DESTDIR$PREFIX/share/${name}/"`,
});
/** Builds only when the dependency's file is installed in PREFIX, with its size. */
const needs = (name: string, size: number): string => `[ "$(wc -c < "$PREFIX/share/${name}/blob.bin")" -eq ${size} ]`;
const docPort = (pkgname: string, build: string): string => portfile(pkgname, {
  build,
  install: `mkdir -p "$DESTDIR$PREFIX/share/doc"\necho ${pkgname} > "$DESTDIR$PREFIX/share/doc/${pkgname}"`,
});

before(async () => {
  if (skip) return;
  cluster = await createCluster({ prefix: 'kse', subnet: 23, hosts: 2 });
  [h1, h2] = cluster.hosts as [NetnsHost, NetnsHost];
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-ssh-'));
  await chmod(work, 0o755); // the local builds of the dependencies run as nobody
  tree = join(work, 'tree');
  out = join(work, 'out');
  await makeTree(tree, {
    'cat/dep': { Portfile: blobPort('dep-1.0', 'dep'), 'blob.bin': seededBytes(3 << 20, 11) },
    'cat/dep2': { Portfile: blobPort('dep2-2.0', 'dep2'), 'blob.bin': seededBytes(2 << 20, 13) },
    'cat/port-a': {
      Portfile: portfile('port-a-1.0', {
        // The port arrives whole: modes, links and empty directories (checked without a word to the log).
        build: ['test -x exec.sh && [ "$(readlink patch-link)" = files/patch-aa ] && test -d empty',
          'printf "start\\n"; cat payload.bin; sleep 1; printf "end\\n"', needs('dep', 3 << 20)].join('\n'),
        install: 'mkdir -p "$DESTDIR$PREFIX/share/port-a"\ncp -a payload.bin exec.sh patch-link files empty "$DESTDIR$PREFIX/share/port-a/"',
      }),
      'payload.bin': payload,
      'files/patch-aa': '--- a\n+++ b\n',
      'exec.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      'patch-link': { link: 'files/patch-aa' },
      'empty': { dir: true },
    },
    'cat/port-b': { Portfile: docPort('port-b-1.0', 'echo b') },
    'cat/port-c': { Portfile: docPort('port-c-1.0', `echo c; sleep 0.3\n${needs('dep', 3 << 20)}\n${needs('dep2', 2 << 20)}`) },
    'cat/port-d': { Portfile: docPort('port-d-1.0', `echo d; sleep 0.3\n${needs('dep2', 2 << 20)}`) },
    'cat/broken': { Portfile: docPort('broken-1.0', 'echo "error: it broke" >&2; exit 3') },
    'cat/slow': { Portfile: docPort('slow-1.0', 'echo slow; sleep 120 & sleep 120; echo never') },
  });
  // Real packages, made by building their ports here, as a local run would have.
  dep = await buildDependency(tree, join(work, 'deps'), 'cat/dep', 'dep-1.0');
  dep2 = await buildDependency(tree, join(work, 'deps'), 'cat/dep2', 'dep2-2.0');
  executor = new SshExecutor({ destination: h1.name, sshConfig: cluster.sshConfig });
});

after(async () => {
  if (skip) return;
  await executor.close();
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

void test('connect checks the host and sends the agent once', { skip }, async () => {
  const r = await executor.connect(signal);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.info.arch, 'x86_64');
  assert.match(r.info.node, /^\d+\./);
  assert.equal(executor.stats().agentsSent, 1);
  const again = new SshExecutor({ destination: h1.destination, sshConfig: cluster.sshConfig });
  try {
    assert.ok((await again.connect(signal)).ok);
    assert.equal(again.stats().agentsSent, 0, 'the host kept the agent by its hash');
  } finally {
    await again.close();
  }
});

void test('a job runs on the host: package and logs come back byte-identical, the log streams live', { skip }, async () => {
  const onHost = await cluster.exec(h1, ['test', '-e', tree]);
  assert.notEqual(onHost.code, 0, 'the coordinator\'s tree is not visible on the host');
  const job = jobFor(tree, out, 'cat/port-a', 'port-a-1.0', [dep]);
  const watcher = recordingWatcher();
  const before = executor.stats();
  const report = await executor.run(job, watcher, signal);
  const endedAt = Date.now();
  assert.equal(report.outcome.kind, 'built', JSON.stringify(report.outcome));
  assert.equal(report.packageFile, join(out, 'packages', 'port-a-1.0.tgz'));
  assert.deepEqual(watcher.phases, ['depends', 'build', 'install', 'package']);

  // The package is the very file the host built (kept in its cache by hash).
  const pkg = await readFile(report.packageFile ?? '');
  const hash = (await mustRun('sha256sum', [report.packageFile ?? ''])).stdout.toString().split(' ')[0] ?? '';
  const hostCopy = await cluster.exec(h1, ['cat', join(cluster.home, '.kiln', 'blobs', hash)]);
  assert.equal(hostCopy.code, 0, hostCopy.stderr);
  assert.ok(hostCopy.stdout.equals(pkg), 'package byte-identical to the host\'s');
  // ... and it holds the port as sent (its install copies it): contents, modes, links, empty dirs.
  const listing = (await mustRun('tar', ['-tvzf', report.packageFile ?? ''])).stdout.toString();
  assert.match(listing, /^-rwxr-xr-x .* share\/port-a\/exec\.sh$/m);
  assert.match(listing, /^lrwxrwxrwx .* share\/port-a\/patch-link -> files\/patch-aa$/m);
  const contents = (await mustRun('tar', ['-xzOf', report.packageFile ?? '', '+CONTENTS'])).stdout.toString();
  assert.match(contents, /^@pkgdir share\/port-a\/empty$/m);
  const unpacked = await mustRun('tar', ['-xzOf', report.packageFile ?? '', 'share/port-a/payload.bin']);
  assert.ok(unpacked.stdout.equals(payload));

  // The log, each phase's output byte for byte.
  const whole = await readFile(job.logFile);
  assert.ok(phaseOutput(whole, 'build')?.equals(Buffer.concat([Buffer.from('start\n'), payload, Buffer.from('end\n')])), 'the build\'s output byte-identical');
  assert.equal(phaseText(whole, 'depends'), 'kiln: installing dep-1.0\n', 'the real package was installed');
  const last = watcher.logs.at(-1);
  assert.equal(last?.bytes, whole.length, 'the last log() is the whole log\'s size');
  assert.ok(watcher.logs.some((l) => l.bytes > 0 && endedAt - l.at > 500), 'log growth was seen while the job still ran');

  const sent = executor.stats();
  assert.equal(sent.filesSent - before.filesSent, 5, 'four port files and the dependency');
  assert.ok(sent.bytesSent - before.bytesSent >= payload.length + (await stat(dep.file)).size);
});

void test('a second job needing the same dependency does not send it again', { skip }, async () => {
  const before = executor.stats();
  const report = await executor.run(jobFor(tree, out, 'cat/port-b', 'port-b-1.0', [dep]), recordingWatcher(), signal);
  assert.equal(report.outcome.kind, 'built');
  const after = executor.stats();
  assert.equal(after.filesSent - before.filesSent, 1, 'only port-b\'s Portfile');
  assert.ok(after.bytesSent - before.bytesSent < 1024);
});

void test('two jobs at once needing a new dependency: it is sent once', { skip }, async () => {
  const before = executor.stats();
  const [c, d] = await Promise.all([
    executor.run(jobFor(tree, out, 'cat/port-c', 'port-c-1.0', [dep, dep2]), recordingWatcher(), signal),
    executor.run(jobFor(tree, out, 'cat/port-d', 'port-d-1.0', [dep2]), recordingWatcher(), signal),
  ]);
  assert.equal(c.outcome.kind, 'built', JSON.stringify(c.outcome));
  assert.equal(d.outcome.kind, 'built', JSON.stringify(d.outcome));
  const after = executor.stats();
  assert.equal(after.filesSent - before.filesSent, 3, 'two Portfiles and dep2 once');
  const dep2Size = (await stat(dep2.file)).size;
  assert.ok(after.bytesSent - before.bytesSent < dep2Size + 1024, 'dep2\'s package once, and two small Portfiles');
});

void test('a job without a time limit (timeoutS Infinity, which JSON cannot carry) still runs', { skip }, async () => {
  const report = await executor.run(jobFor(tree, out, 'cat/port-b', 'port-b-1.0', [], { timeoutS: Infinity }), recordingWatcher(), signal);
  assert.equal(report.outcome.kind, 'built', JSON.stringify(report.outcome));
});

void test('a failing build is a failed outcome with its phase, and its logs come back', { skip }, async () => {
  const job = jobFor(tree, out, 'cat/broken', 'broken-1.0');
  const report = await executor.run(job, recordingWatcher(), signal);
  assert.equal(report.outcome.kind, 'failed');
  assert.equal(report.outcome.kind === 'failed' ? report.outcome.phase : '', 'build');
  assert.equal(report.packageFile, undefined);
  assert.equal(phaseText(await readFile(job.logFile), 'build'), 'error: it broke\n');
  await assert.rejects(stat(join(out, 'packages', 'broken-1.0.tgz')));
});

void test('cancelling a job kills it on the host', { skip }, async () => {
  const controller = new AbortController();
  const watcher = recordingWatcher();
  const running = executor.run(jobFor(tree, out, 'cat/slow', 'slow-1.0'), watcher, controller.signal);
  await watcher.reached('build');
  const leader = await waitForJobLeader(cluster, h1);
  assert.ok(await waitForSleeps(cluster, h1, leader, 2), 'the build runs: its two sleeps');
  const job = (await liveJobProcesses(cluster, h1, leader)).map((p) => p.pid);
  controller.abort();
  const report = await running;
  assert.deepEqual(report.outcome, { kind: 'infrastructure', reason: 'cancelled' });
  assert.deepEqual(await liveInGroup(cluster, h1, leader), [], 'nothing of the job runs on the host');
  const left = (await liveAsUser(cluster, h1)).filter((p) => job.includes(p.pid));
  assert.deepEqual(left, [], 'no process of the job (runner, sandbox, build) is left');
  await assert.rejects(stat(join(out, 'packages', 'slow-1.0.tgz')));
});

void test('pkgpaths cannot escape the tree; nothing reaches the host', { skip }, async () => {
  const before = executor.stats();
  for (const pkgpath of ['../etc', 'cat/../../x', '/etc/passwd', 'cat', 'cat/port-a/../../..']) {
    const r = await executor.run(jobFor(tree, out, pkgpath, 'evil-1.0'), recordingWatcher(), signal);
    assert.equal(r.outcome.kind, 'failed', pkgpath);
  }
  assert.deepEqual(executor.stats(), before);
});

void test('no shared filesystem: the second host has nothing of the first host\'s work', { skip }, async () => {
  const r = await cluster.exec(h2, ['sh', '-c', 'ls -A "$1" 2>/dev/null | wc -l', 'sh', cluster.home]);
  assert.equal(r.stdout.toString().trim(), '0');
  const onH1 = await cluster.exec(h1, ['sh', '-c', 'ls "$1"/.kiln/blobs | wc -l', 'sh', cluster.home]);
  assert.ok(Number(onH1.stdout.toString().trim()) >= 8);
});

void test('close ends the agent and the master; nothing of ours runs on the host', { skip }, async () => {
  const e = new SshExecutor({ destination: h2.name, sshConfig: cluster.sshConfig });
  assert.ok((await e.connect(signal)).ok);
  const pids = await e.sshPids();
  assert.ok(pids.master !== undefined && pids.session !== undefined);
  await e.close();
  assert.ok(await waitFor(async () => (await liveAsUser(cluster, h2)).length === 0, 5000), 'no process of the build user on h2');
  assert.ok(await waitFor(() => !isRunning(pids.master ?? 0), 5000), 'the master is gone');
});
