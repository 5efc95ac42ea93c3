// What the agent left on a test host: its job pid files, and the processes
// of a job's group, looked up in the host's own namespaces.

import { join } from 'node:path';
import { isLive, type HostProcess } from './host-processes.js';
import type { NetnsCluster, NetnsHost } from './netns-hosts.js';
import { waitFor } from './run-command.js';

/** The process-group leaders recorded in `~/.kiln/jobs/<job>/pid` on the host. */
export async function jobLeaders(cluster: NetnsCluster, host: NetnsHost, remoteDir = '.kiln'): Promise<number[]> {
  const jobs = join(cluster.home, remoteDir, 'jobs');
  const r = await cluster.exec(host, ['sh', '-c', 'cat "$1"/*/pid 2>/dev/null; true', 'sh', jobs]);
  return [...r.stdout.toString().matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1]));
}

/** Waits (bounded) until a job pid file appears on the host; returns the leader pid. */
export async function waitForJobLeader(cluster: NetnsCluster, host: NetnsHost, withinMs = 10_000): Promise<number> {
  let leader: number | undefined;
  await waitFor(async () => { leader = (await jobLeaders(cluster, host))[0]; return leader !== undefined; }, withinMs, 100);
  if (leader === undefined) throw new Error(`no job pid file on ${host.name} within ${withinMs} ms`);
  return leader;
}

/** Processes of group `pgid` on the host that still run (zombies have ended). */
export async function liveInGroup(cluster: NetnsCluster, host: NetnsHost, pgid: number): Promise<HostProcess[]> {
  return (await cluster.processes(host)).filter((p) => p.pgid === pgid && isLive(p));
}

/** Processes the build user still runs on the host. */
export async function liveAsUser(cluster: NetnsCluster, host: NetnsHost): Promise<HostProcess[]> {
  return (await cluster.processes(host)).filter((p) => p.uid === cluster.uid && isLive(p));
}

/**
 * The live processes of one job on the host: its runner (`leader`), and
 * everything started under it. The sandbox runs in a process group of its
 * own (bubblewrap is spawned detached, and dies with the runner), so a job is
 * its runner's group plus the runner's descendants.
 */
export async function liveJobProcesses(cluster: NetnsCluster, host: NetnsHost, leader: number): Promise<HostProcess[]> {
  const all = (await cluster.processes(host)).filter(isLive);
  const children = new Map<number, HostProcess[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found = new Map<number, HostProcess>();
  const visit = (p: HostProcess): void => {
    if (found.has(p.pid)) return;
    found.set(p.pid, p);
    for (const child of children.get(p.pid) ?? []) visit(child);
  };
  for (const p of all) if (p.pid === leader || p.pgid === leader) visit(p);
  return [...found.values()];
}

/** Waits (bounded) until the job's build runs: at least `sleeps` `sleep` processes under its runner. */
export async function waitForSleeps(cluster: NetnsCluster, host: NetnsHost, leader: number, sleeps: number, withinMs = 10_000): Promise<boolean> {
  return waitFor(async () => (await liveJobProcesses(cluster, host, leader)).filter((p) => p.comm === 'sleep').length >= sleeps, withinMs, 100);
}
