// A build host cut off mid-job (its link dropped, as a pulled cable), with
// kiln's runtime (buildRun: store, locks, currency, coordinator) driving
// real ssh executors to sshds in network namespaces: the job goes back to
// the queue without using an attempt, another host builds it, the run ends
// as an uninterrupted one would, and the cut host's lock is not left. Then
// the same runtime resumes after a cut: nothing it built is built again.
// (The `--hosts` wiring of `kiln build` is the cluster work's; this drives
// the same runtime with the hosts it would be given.)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { policySet } from '../../src/core/policies/policy-set.js';
import type { RunEvent } from '../../src/core/run-events.js';
import { SshExecutor } from '../../src/exec/ssh/ssh-executor.js';
import { PortfileDriver } from '../../src/ports/portfile/portfile-driver.js';
import { writeRepositoryIndex } from '../../src/report/repository/pkg-summary.js';
import { openBuildStores } from '../../src/cli/build-stores.js';
import { buildRun, type BuildRunResult } from '../../src/runtime/build-run.js';
import { systemClock } from '../../src/runtime/clock.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeDurableTree } from '../support/durable-tree.js';
import { outcomeOf } from '../support/kiln-runs.js';
import { remoteBuild } from '../support/remote-build-child.js';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { waitFor } from '../support/run-command.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;
let tree: string;

before(async () => {
  if (skip) return;
  cluster = await createCluster({ prefix: 'kdc', subnet: 46, hosts: 2 });
  work = await mkdtemp(join(tmpdir(), 'kiln-hostcut-'));
  tree = join(work, 'tree');
  await makeDurableTree(tree, { a: {}, long: { deps: ['a'], delay: 8.31 }, b: { deps: ['a'] }, c: { deps: ['b'] } });
});
after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

function host(i: number): NetnsHost {
  return cluster.hosts[i] ?? assert.fail(`no host ${i}`);
}

async function build(logdir: string, events: RunEvent[], executors: SshExecutor[]): Promise<BuildRunResult> {
  return buildRun({
    driver: new PortfileDriver(tree), logdir, repository: join(work, 'packages'), pkgpaths: [], scanJobs: 2,
    hosts: executors.map((executor) => ({ executor, spec: { name: executor.host, slots: 1, speed: 1, cores: 1 } })),
    sink: { emit: (e) => events.push(e) }, clock: systemClock, signal: new AbortController().signal, args: ['test'],
    engine: { ...policySet('kiln', true), maxAttempts: 3 }, timeoutS: undefined, primeHistory: [],
    openStores: openBuildStores, writeIndex: async (allDir) => { await writeRepositoryIndex(allDir, logdir); },
  });
}

test('a host cut mid-job: the job is built on the other host, without using an attempt', { skip }, async () => {
  const logdir = join(work, 'logs');
  const executors = [0, 1].map((i) => new SshExecutor({ destination: host(i).name, sshConfig: cluster.sshConfig }));
  const events: RunEvent[] = [];
  try {
    const running = build(logdir, events, executors);
    const longOn = (): string | undefined => events.flatMap((e) => (e.type === 'job-started' && e.job.pkgname === 'long-1.0' ? [e.job.host] : []))[0];
    assert.ok(await waitFor(() => longOn() !== undefined && events.some((e) => e.type === 'job-phase' && e.phase === 'build'), 60_000), 'long builds');
    const cut = cluster.hosts.find((h) => h.name === longOn())!;
    await cluster.cut(cut);
    const result = await running;
    assert.equal(result.result, 'complete');
    assert.equal(result.counts.byStatus.done, 4);
    const store = RunStore.openReadOnly(logdir);
    try {
      const long = store.jobs(1).filter((j) => j.pkgname === 'long-1.0');
      assert.deepEqual(long.map((j) => [j.host === cut.name, j.outcome, j.attempt]), [[true, 'requeued', 1], [false, 'built', 1]]);
    } finally {
      store.close();
    }
    assert.ok(events.some((e) => e.type === 'host' && e.host === cut.name && e.state === 'down'));
  } finally {
    for (const e of executors) await e.close();
    await cluster.restore(host(0));
    await cluster.restore(host(1));
  }
});

/** Pids of processes running `sleep <seconds>`, on any host (every namespace shows in this /proc). */
function sleepers(seconds: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((name) => {
    try {
      return readFileSync(`/proc/${name}/cmdline`, 'utf8') === `sleep\0${seconds}\0`;
    } catch {
      return false;
    }
  }).map(Number);
}

test('a coordinator SIGKILLed while a remote job runs: the job ends on its host, the resumed run builds what is left once', { skip }, async () => {
  const dirs = { tree, logdir: join(work, 'logs-killed'), packages: join(work, 'packages-killed') };
  const child = spawn(process.execPath, [fileURLToPath(new URL('../support/remote-build-child.js', import.meta.url)),
    JSON.stringify({ ...dirs, sshConfig: cluster.sshConfig, hosts: cluster.hosts.map((h) => h.name) })], { stdio: 'inherit' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  assert.ok(await waitFor(() => sleepers('8.31').length > 0, 60_000), 'long builds on a host');
  child.kill('SIGKILL');
  await exited;
  // What reached the repository is kept. A package the other host had just
  // written but not yet sent back when the coordinator died is not: it is
  // built again.
  const all = join(dirs.packages, 'All');
  const landed = (existsSync(all) ? readdirSync(all) : []).filter((n) => n.endsWith('.tgz')).map((n) => n.slice(0, -'.tgz'.length));
  assert.ok(await waitFor(() => sleepers('8.31').length === 0, 30_000), 'the remote job ended with its coordinator');
  const result = await remoteBuild({ ...dirs, sshConfig: cluster.sshConfig, hosts: cluster.hosts.map((h) => h.name) });
  assert.equal(result, 'complete');
  const outcome = outcomeOf(dirs);
  assert.deepEqual(Object.values(outcome.statuses), ['done', 'done', 'done', 'done']);
  assert.ok(!landed.includes('long-1.0'), 'long was cut short');
  for (const [pkgname, writes] of Object.entries(outcome.writes)) {
    assert.ok(writes <= (landed.includes(pkgname) ? 1 : 2), `${pkgname} written ${writes} times (in the repository at the kill: ${landed.includes(pkgname)})`);
  }
  assert.equal(outcome.writes['long-1.0'], 1, 'long was built to the end once');
  assert.deepEqual(outcome.locks, []);
  assert.ok(await waitFor(() => jobProcesses().length === 0, 30_000), `no job process is left on the hosts: ${jobProcesses().join('; ')}`);
});

/** Processes of jobs on the test hosts (their sandboxes bind the job's directory under the build user's home). */
function jobProcesses(): string[] {
  const marker = join(cluster.home, '.kiln', 'jobs');
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      return cmdline.includes(marker) ? [`${name}: ${cmdline.replaceAll('\0', ' ').slice(0, 120)}`] : [];
    } catch {
      return [];
    }
  });
}
