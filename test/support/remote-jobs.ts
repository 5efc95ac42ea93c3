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
