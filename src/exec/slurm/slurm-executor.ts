// An executor for one host of a `slurm:` line: kiln's agent, as on an ssh
// host, reached through srun in an allocation of its own.

import { createHash } from 'node:crypto';
import type { HostEntry, HostsFile } from '../hosts-file.js';
import { entryOptions, SshExecutor, type SshExecutorOptions } from '../ssh/ssh-executor.js';
import { SlurmChannel } from './slurm-channel.js';

/** An allocation with no job for this long, while nothing waits, is given back (hosts file `idle=`). */
const DEFAULT_IDLE_S = 60;

/**
 * `owner` names the coordinator's allocations (its run directory, say): the
 * same owner finds and cancels what an earlier, killed coordinator left.
 */
export function slurmExecutor(entry: HostEntry, file: HostsFile, owner: string, extra: Partial<SshExecutorOptions> = {}): SshExecutor {
  const slurm = entry.slurm;
  if (slurm === undefined) throw new Error(`${entry.name} is not a Slurm host`);
  const tag = createHash('sha256').update(owner).digest('hex').slice(0, 8);
  const channel = new SlurmChannel({
    partition: slurm.partition, cpus: entry.cores ?? entry.jobs ?? 1, timeMin: slurm.timeMin, constraint: slurm.constraint, waitS: slurm.waitS,
    jobName: `kiln-${tag}-${entry.name}`,
  });
  return new SshExecutor({
    destination: entry.name, name: entry.name, remoteSubdir: entry.name, onDemand: { idleS: slurm.idleS ?? DEFAULT_IDLE_S, limitS: slurm.timeMin === undefined ? undefined : slurm.timeMin * 60 },
    ...entryOptions(entry, file),
    ...extra,
  }, channel);
}
