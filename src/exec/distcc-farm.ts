// A host's distcc compile farm: the hosts file's `distcc=h1,h2:3633/8`
// names the distccd servers its builds may compile on, and a job whose port
// opts in (USE_DISTCC=yes) is handed to them here, as the executor starts it.
//
// The rule for its make jobs: the job's own share of the host's cores (what
// the engine gave it: a critical-path job gets more) plus every slot of the
// farm. Such a job leaves the host's jobserver: its compilations run on the
// farm, so its make jobs are no longer the host's cores to share out.

import type { BuildJob, DistccServer } from '../job/build-job.js';

/** distcc's own default: four compilations at once per server. */
export const DISTCC_DEFAULT_LIMIT = 4;
export const DISTCC_DEFAULT_PORT = 3632;

/** The servers of a `distcc=` value (`host[:port][/limit]`, comma-separated), or what is wrong with it. */
export function parseDistccServers(value: string): readonly DistccServer[] | { readonly problem: string } {
  const servers: DistccServer[] = [];
  for (const item of value.split(',')) {
    const m = /^([A-Za-z0-9_][A-Za-z0-9._-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?(?:\/(\d{1,4}))?$/.exec(item);
    if (m === null) return { problem: `${JSON.stringify(item.slice(0, 60))} is not host[:port][/limit]` };
    const port = m[2] === undefined ? DISTCC_DEFAULT_PORT : Number(m[2]);
    const limit = m[3] === undefined ? DISTCC_DEFAULT_LIMIT : Number(m[3]);
    if (port < 1 || port > 65535) return { problem: `port ${port} of ${JSON.stringify(item)} is not from 1 to 65535` };
    if (limit < 1 || limit > 1024) return { problem: `limit ${limit} of ${JSON.stringify(item)} is not from 1 to 1024` };
    const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
    if (servers.some((s) => s.host === host && s.port === port)) return { problem: `${host}:${port} is named twice` };
    servers.push({ host, port, limit });
  }
  return servers;
}

/** The slots of a farm: compilations it takes at once. */
export function farmSlots(servers: readonly DistccServer[]): number {
  return servers.reduce((sum, s) => sum + s.limit, 0);
}

/** `job` as it runs on a host with `servers`: unchanged unless its port opts in and the host has a farm. */
export function withFarm(job: BuildJob, servers: readonly DistccServer[] | undefined): BuildJob {
  if (job.useDistcc !== true || servers === undefined || servers.length === 0) return job;
  const { jobserver, ...rest } = job;
  const parallel = jobserver?.parallel !== false;
  return { ...rest, distcc: servers, makeJobs: parallel ? Math.max(1, Math.floor(job.makeJobs)) + farmSlots(servers) : 1 };
}
