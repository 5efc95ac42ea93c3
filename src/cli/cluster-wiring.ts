// What `kiln build` (and `kiln scan`) add for a cluster: --hosts FILE (dpb's
// hosts file: `localhost` lines build here, every other line through the
// system's OpenSSH and kiln's agent), --ssh-config FILE (ssh's -F), and
// --remote-scan (the remote hosts scan too, as pbulk's scan clients). The
// hosts file and `<logdir>/hosts.added` are watched while the build runs.

import { join, resolve } from 'node:path';

import type { HostSpec } from '../core/model.js';
import type { Executor } from '../exec/executor.js';
import { scheduling, toHostSpec, type HostEntry, type HostsFile } from '../exec/hosts-file.js';
import { type BuildFunction, LocalExecutor } from '../exec/local-executor.js';
import { SshExecutor } from '../exec/ssh/ssh-executor.js';
import { slurmExecutor } from '../exec/slurm/slurm-executor.js';
import { SshScanHost } from '../exec/ssh-scan-host.js';
import { coordinatorArch, scanPlace } from '../exec/host-arch.js';
import { FileHasher } from '../exec/ssh/file-hasher.js';
import type { TreeHostFactory } from '../exec/ssh/tree-host.js';
import { TreeShare } from '../exec/ssh/tree-share.js';
import type { TreeDriver } from '../ports/driver.js';
import type { ScanInputs } from '../ports/scan-cache.js';
import { ScanPool } from '../ports/scan-pool.js';
import type { HostBinding } from '../runtime/coordinator.js';
import { HostsFileRoster, type RosterFactory } from '../runtime/host-roster.js';
import { buildPackage } from '../sandbox/builder.js';
import { UserError, type CommandIO } from './command.js';
import { EXIT } from './exit-status.js';
import type { RemoteTree } from './trees/tree-kind.js';

/** Where `kiln host add` writes, in the run directory; the running build reads it. */
export const ADDED_HOSTS = 'hosts.added';

export const CLUSTER_OPTIONS = {
  hosts: { type: 'string' },
  'ssh-config': { type: 'string' },
  'remote-scan': { type: 'boolean' },
} as const;

export const CLUSTER_HELP = `  --hosts FILE      build on the hosts of FILE (dpb's hosts file): \`localhost\`
                    builds here, \`user@host\` over ssh; lines added to FILE
                    (or with kiln host add) while the build runs join it,
                    lines removed drain their host
  --ssh-config FILE ssh's configuration file (ssh -F FILE) for those hosts
  --remote-scan     scan on the remote hosts too, jobs= scans at once on each
`;

export interface ClusterValues {
  readonly hosts?: string | undefined;
  readonly 'ssh-config'?: string | undefined;
  readonly 'remote-scan'?: boolean | undefined;
}

export interface Cluster {
  readonly hosts: readonly HostBinding[];
  readonly roster: HostsFileRoster;
  /** The driver the scan uses: the tree's own, or a pool over it and the remote hosts; with its jobs. */
  readonly scan: { readonly driver: TreeDriver & ScanInputs; readonly jobs: number; readonly pool: ScanPool | undefined };
  /** Closes every executor made for the build (the ones that joined later too). */
  close(): Promise<void>;
}

export interface ClusterDefaults {
  readonly logdir: string;
  /** Slots and cores of this machine without a hosts file, and its scan jobs. */
  readonly jobs: number;
  readonly cores: number;
  readonly tree: TreeDriver & ScanInputs;
  /** `--scan-timeout`: a port's scan on a remote host is killed after it. */
  readonly scanTimeoutS?: number | undefined;
  /** How this machine builds a job (the tree kind's builder). */
  readonly build: BuildFunction;
  /** What a remote host needs of the tree (the tree kind's); closed with the cluster. */
  readonly remote: RemoteTree;
  /** The architecture the run builds for: a host of another is refused. */
  readonly buildArch?: string;
  /** Why this machine cannot build the tree (TreeBuild's): localhost is refused with it. */
  readonly localProblem?: string | undefined;
}

export async function clusterHosts(values: ClusterValues, io: CommandIO, d: ClusterDefaults): Promise<Cluster> {
  const sshConfig = values['ssh-config'] === undefined ? undefined : resolve(io.cwd, values['ssh-config']);
  const made: Array<{ readonly entry: HostEntry; readonly executor: Executor }> = [];
  const factory: RosterFactory = {
    specs: (entry) => ({ spec: provisionalSpec(entry), specFor: (info) => toHostSpec(entry, info) }),
    executor: (entry, file) => {
      const executor = makeExecutor(entry, file, sshConfig, d.build, d.remote.treeHost, d.logdir, d.buildArch, d.localProblem);
      made.push({ entry, executor });
      return executor;
    },
  };
  const hostsFile = values.hosts === undefined ? undefined : resolve(io.cwd, values.hosts);
  const local: HostBinding | undefined = hostsFile !== undefined ? undefined : {
    executor: new LocalExecutor({ build: d.build, arch: { build: d.buildArch }, ...(d.localProblem !== undefined && { refuse: d.localProblem }) }), spec: { name: 'localhost', slots: d.jobs, speed: 1, cores: d.cores },
  };
  const opened = await HostsFileRoster.open({
    ...(hostsFile !== undefined && { hostsFile }), added: join(d.logdir, ADDED_HOSTS), fixed: local ? ['localhost'] : [], factory,
  });
  if (!opened.ok) throw new UserError(opened.problems.map((p) => `bad hosts file: ${p}`).join('\nkiln: '));
  const hosts = [...(local ? [local] : []), ...opened.hosts];
  if (hosts.length === 0) throw new UserError(`${hostsFile ?? 'the hosts file'} names no host`);
  const place = scanPlace(d.buildArch, coordinatorArch(), values['remote-scan'] === true);
  const notHere = place.kind === 'hosts-only' ? place.why : undefined;
  const pool = place.kind === 'here' ? undefined : await scanPool(made, d.tree, d.jobs, io, d.scanTimeoutS, notHere);
  const close = async (): Promise<void> => {
    await Promise.all([...(local ? [local.executor] : []), ...made.map((m) => m.executor)].map((e) => e.close()));
    await d.remote.close();
  };
  if (notHere !== undefined && pool!.remoteSlots === 0) {
    await close();
    throw new UserError(`${notHere}, and none is up (name one in --hosts FILE)`, EXIT.noHost);
  }
  if (notHere !== undefined) io.stderr.write(`kiln: ${notHere}\n`);
  return {
    hosts, roster: opened.roster,
    scan: pool ? { driver: pool, jobs: pool.slots, pool } : { driver: d.tree, jobs: d.jobs, pool: undefined },
    close,
  };
}

/**
 * pbulk's scan clients: the remote hosts among `hosts` (each checked first,
 * a refused one named on stderr and left out), `jobs=` scans at once on
 * each, and `localJobs` here.
 */
export async function scanPool(hosts: ReadonlyArray<{ readonly entry: HostEntry; readonly executor: Executor }>,
  tree: TreeDriver & ScanInputs, localJobs: number, io: CommandIO, timeoutS?: number, notHere?: string): Promise<ScanPool> {
  const share = new TreeShare(tree.root, new FileHasher());
  const remote = await Promise.all(hosts.map(async ({ entry, executor }) => {
    if (!(executor instanceof SshExecutor)) return [];
    const connected = await executor.connect(io.signal);
    if (!connected.ok) {
      io.stderr.write(`kiln: ${entry.name} does not scan: ${connected.reason}\n`);
      return [];
    }
    const slots = toHostSpec(entry, connected.info).slots;
    return [new SshScanHost({ executor, tree: tree.root, slots, share, ...(timeoutS !== undefined && { timeoutS }) })];
  }));
  return new ScanPool(tree, localJobs, remote.flat(), {
    lost: (host, reason) => io.stderr.write(`kiln: ${host} scans no more, its ports are scanned ${notHere === undefined ? 'here' : 'on the other hosts'}: ${reason}\n`),
  }, notHere);
}

/** `owner`: what names this coordinator's Slurm allocations, unique to it (a build's run directory, a scan's process). */
export function makeExecutor(entry: HostEntry, file: HostsFile, sshConfig: string | undefined, build: BuildFunction = buildPackage,
  treeHost: TreeHostFactory | undefined, owner: string, buildArch?: string, localProblem?: string): Executor {
  if (entry.local) {
    return new LocalExecutor({
      build, arch: { claimed: entry.arch, build: buildArch }, ...(localProblem !== undefined && { refuse: localProblem }), ...(file.startup !== undefined && { startup: file.startup }), ...(entry.distcc !== undefined && { distcc: entry.distcc }),
    });
  }
  const extra = { ...(treeHost !== undefined && { treeHost }), ...(buildArch !== undefined && { buildArch }) };
  if (entry.slurm !== undefined) return slurmExecutor(entry, file, owner, extra);
  return SshExecutor.fromHostEntry(entry, file, { name: entry.name, ...(sshConfig !== undefined && { sshConfig }), ...extra });
}

/** What the engine may assume of a host before it has reported its cores and memory. */
function provisionalSpec(entry: HostEntry): HostSpec {
  const slots = entry.jobs ?? 1;
  return {
    name: entry.name, slots, speed: entry.speed, cores: entry.cores ?? slots,
    ...(entry.memoryMiB !== undefined && { memoryMiB: entry.memoryMiB }),
    ...scheduling(entry),
  };
}
