// Losing a host mid-job: a cut link, a killed ssh session, a killed master.
// `onLost` fires within seconds, the job ends as `infrastructure`, and no
// process of the job is left on the host (checked by pid in its namespace).

import { after, before, test, type TestContext } from 'node:test';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildReport } from '../../src/job/build-job.js';
import { SshExecutor, type SshExecutorOptions } from '../../src/exec/ssh/ssh-executor.js';
import { jobFor, makeTree, portfile, recordingWatcher } from '../support/fixture-tree.js';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { jobLeaders, liveAsUser, liveInGroup, waitForJobLeader, waitForSleeps } from '../support/remote-jobs.js';
import { waitFor } from '../support/run-command.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;
let tree: string;
const executors: SshExecutor[] = [];
const signal = new AbortController().signal;

before(async () => {
  if (skip) return;
  cluster = await createCluster({ prefix: 'ksl', subnet: 24, hosts: 4 });
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-loss-'));
  tree = join(work, 'tree');
  await chmod(work, 0o755);
  await makeTree(tree, { 'cat/slow': { Portfile: portfile('slow-1.0', { build: 'echo slow; sleep 300 & sleep 300' }) } });
});

after(async () => {
  if (skip) return;
  for (const e of executors) await e.close();
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

function host(i: number): NetnsHost {
  return cluster.hosts[i] ?? assert.fail(`no host ${i}`);
}

interface Running {
  readonly executor: SshExecutor;
  readonly report: Promise<BuildReport>;
  readonly lost: Promise<{ reason: string; at: number }>;
  readonly leader: number;
  /** The build user's processes on the host while the job ran: agent, runner, sandbox, shell, sleeps (not sshd's own). */
  readonly pids: readonly number[];
}

async function startSlowJob(h: NetnsHost, options: Partial<SshExecutorOptions> = {}): Promise<Running> {
  const executor = new SshExecutor({ destination: h.name, sshConfig: cluster.sshConfig, ...options });
  executors.push(executor);
  const lost = new Promise<{ reason: string; at: number }>((resolve) => executor.onLost((reason) => resolve({ reason, at: Date.now() })));
  const connected = await executor.connect(signal);
  assert.ok(connected.ok, connected.ok ? '' : connected.reason);
  const watcher = recordingWatcher();
  const report = executor.run(jobFor(tree, join(work, 'out', h.name), 'cat/slow', 'slow-1.0'), watcher, signal);
  await watcher.reached('build');
  const leader = await waitForJobLeader(cluster, h);
  assert.ok(await waitForSleeps(cluster, h, leader, 2), 'the build runs: its two sleeps');
  const pids = (await liveAsUser(cluster, h)).filter((p) => p.comm !== 'sshd').map((p) => p.pid);
  return { executor, report, lost, leader, pids };
}

/** Waits until none of `pids` runs on the host; returns how long that took. */
async function allGone(h: NetnsHost, pids: readonly number[], withinMs: number): Promise<number> {
  const start = Date.now();
  const gone = await waitFor(async () => !(await liveAsUser(cluster, h)).some((p) => pids.includes(p.pid)), withinMs, 100);
  const left = (await liveAsUser(cluster, h)).filter((p) => pids.includes(p.pid));
  assert.ok(gone, `left on ${h.name}: ${left.map((p) => `${p.pid} ${p.cmdline}`).join('; ')}`);
  return Date.now() - start;
}

async function connectWithin(executor: SshExecutor, withinMs: number): Promise<void> {
  let last = '';
  const ok = await waitFor(async () => {
    const r = await executor.connect(signal);
    if (!r.ok) last = r.reason;
    return r.ok;
  }, withinMs, 500);
  assert.ok(ok, `reconnect: ${last}`);
}

void test('a cut link: onLost within seconds, the job ends as infrastructure, a reconnect leaves nothing of it', { skip }, async (t: TestContext) => {
  const h = host(0);
  const job = await startSlowJob(h);
  const cutAt = Date.now();
  await cluster.cut(h);
  const lost = await job.lost;
  t.diagnostic(`onLost ${lost.at - cutAt} ms after the cut: ${lost.reason}`);
  assert.ok(lost.at - cutAt < 10_000, `onLost after ${lost.at - cutAt} ms`);
  assert.match(lost.reason, /lost/);
  const report = await job.report;
  assert.equal(report.outcome.kind, 'infrastructure');
  assert.match(report.outcome.kind === 'infrastructure' ? report.outcome.reason : '', /lost/);
  await cluster.restore(h);
  t.diagnostic(`before the reconnect, ${(await liveInGroup(cluster, h, job.leader)).length} process(es) of the job still ran`);
  await connectWithin(job.executor, 15_000);
  const took = await allGone(h, job.pids, 5000);
  t.diagnostic(`the cut job's processes were gone ${took} ms after the reconnect`);
  assert.deepEqual(await liveInGroup(cluster, h, job.leader), []);
  assert.deepEqual(await jobLeaders(cluster, h), [], 'no job pid file left');
});

void test('a cut link that stays cut: the agent ends the job by itself after its idle timeout', { skip }, async (t: TestContext) => {
  const h = host(1);
  const job = await startSlowJob(h, { agentIdleTimeoutS: 4 });
  const cutAt = Date.now();
  await cluster.cut(h);
  try {
    await job.lost;
    assert.equal((await job.report).outcome.kind, 'infrastructure');
    await allGone(h, job.pids, 10_000);
    t.diagnostic(`nothing left ${Date.now() - cutAt} ms after the cut, link still down`);
  } finally {
    await cluster.restore(h);
  }
});

void test('a killed ssh session (SIGKILL): onLost at once, no remote orphan', { skip }, async (t: TestContext) => {
  const h = host(2);
  const job = await startSlowJob(h);
  const { session } = await job.executor.sshPids();
  assert.ok(session !== undefined);
  const killedAt = Date.now();
  process.kill(session, 'SIGKILL');
  const lost = await job.lost;
  assert.ok(lost.at - killedAt < 2000, `onLost after ${lost.at - killedAt} ms`);
  assert.equal((await job.report).outcome.kind, 'infrastructure');
  const took = await allGone(h, job.pids, 5000);
  t.diagnostic(`onLost ${lost.at - killedAt} ms, host clean ${took} ms after onLost`);
  await connectWithin(job.executor, 10_000); // the master survived: the session comes back on it
  await job.executor.close();
});

void test('a killed master (SIGKILL): onLost at once, no remote orphan', { skip }, async (t: TestContext) => {
  const h = host(2);
  const job = await startSlowJob(h);
  const { master } = await job.executor.sshPids();
  assert.ok(master !== undefined);
  const killedAt = Date.now();
  process.kill(master, 'SIGKILL');
  const lost = await job.lost;
  assert.ok(lost.at - killedAt < 2000, `onLost after ${lost.at - killedAt} ms`);
  assert.equal((await job.report).outcome.kind, 'infrastructure');
  const took = await allGone(h, job.pids, 5000);
  t.diagnostic(`onLost ${lost.at - killedAt} ms, host clean ${took} ms after onLost`);
});

void test('a killed coordinator (SIGKILL of the whole process) leaves nothing building on the host', { skip }, async (t: TestContext) => {
  const h = host(3);
  const child = spawn(process.execPath, [fileURLToPath(new URL('../support/coordinator-child.js', import.meta.url)),
    h.name, cluster.sshConfig, tree, join(work, 'out', 'child'), 'cat/slow'],
  // Its private ssh directory goes under `work`, removed with it: a killed coordinator cannot clean up.
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: work } });
  let master: number | undefined;
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let got = '';
      child.stdout.on('data', (b: Buffer) => { got += b.toString(); if (got.includes('\n')) resolve(got); });
      child.on('exit', (code) => reject(new Error(`the coordinator child exited ${code ?? '?'}`)));
    });
    master = (JSON.parse(line) as { master?: number }).master;
    const leader = await waitForJobLeader(cluster, h);
    assert.ok(await waitForSleeps(cluster, h, leader, 2), 'the build runs: its two sleeps');
    const pids = (await liveAsUser(cluster, h)).filter((p) => p.comm !== 'sshd').map((p) => p.pid);
    child.kill('SIGKILL');
    const took = await allGone(h, pids, 5000);
    t.diagnostic(`host clean ${took} ms after the coordinator was killed`);
  } finally {
    child.kill('SIGKILL');
    // The master it left lives on (ControlPersist); it is ours to end.
    if (master !== undefined) try { process.kill(master, 'SIGTERM'); } catch { /* gone */ }
  }
});
