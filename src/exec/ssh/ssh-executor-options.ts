// What an SshExecutor is told about its host (most of it from the hosts
// file), and what it counts of the traffic to it.

import type { DistccServer } from '../../job/build-job.js';
import type { TreeHostFactory } from './tree-host.js';
import type { Executor } from '../executor.js';

export interface SshExecutorOptions {
  /** ssh destination: `host`, `user@host` or an ssh_config alias. */
  readonly destination: string;
  /** The host's name for the engine and reports; default: the destination. */
  readonly name?: string;
  /** `ssh -F`: an ssh_config to use instead of ~/.ssh/config. */
  readonly sshConfig?: string;
  readonly sshProgram?: string;
  /** ssh ConnectTimeout (hosts file `timeout=`); default 10 s. */
  readonly connectTimeoutS?: number;
  /** ServerAliveInterval × ServerAliveCountMax is how long a silent link lasts; default 1 s × 5. */
  readonly serverAliveIntervalS?: number;
  readonly serverAliveCountMax?: number;
  /** The coordinator gives the agent up after this long without a byte from it; default 20 s. */
  readonly agentSilenceS?: number;
  /** The agent ends its jobs after this long without a word from the coordinator; default 20 s. */
  readonly agentIdleTimeoutS?: number;
  /** The agent's directory on the host (hosts file `dir=`), absolute or relative to the login user's home; default ~/.kiln, for root /var/tmp/kiln-agent-0 (bootstrap.ts). */
  readonly remoteDir?: string;
  /** Held only while the build needs it (a Slurm allocation; Executor.onDemand). */
  readonly onDemand?: Executor['onDemand'];
  /** A subdirectory of the agent's directory: each Slurm allocation's own, as two may share a node. */
  readonly remoteSubdir?: string;
  /** The host must report this `uname -m` (hosts file `arch=`). */
  readonly arch?: string;
  /** The architecture the run builds for (`kiln build --arch`): a host of another is refused. */
  readonly buildArch?: string;
  /** A script on the coordinator run on the host (with /bin/sh) at each connect (hosts file `STARTUP=`). */
  readonly startup?: string;
  readonly startupTimeoutS?: number;
  /** The host's distccd servers (hosts file `distcc=`): its jobs that opt in compile there (distcc-farm.ts). */
  readonly distcc?: readonly DistccServer[];
  /** Refuse a host with less free disk where the agent works; default 1024 MiB. */
  readonly minDiskFreeMiB?: number;
  /** Refuse a host without a working bubblewrap; default true. */
  readonly requireBwrap?: boolean;
  /** The agent bundle to ship; default the one the build made. */
  readonly agentBundle?: string;
  /**
   * What the tree's kind needs of the host (tree-host.ts): made ready before
   * the host gets a job, a part of each job, its scans. None for a Portfile tree.
   */
  readonly treeHost?: TreeHostFactory;
}

export interface TransferStats {
  /** Times the agent bundle itself was sent (hosts that did not have this version). */
  readonly agentsSent: number;
  readonly filesSent: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}
