// A memory cgroup per job, where the host allows it (root, cgroup v1's
// memory controller): every process of the job's phases that run port code
// joins it before it runs (not kiln's own dependency install: a join is a
// cgroup move, which waits for an RCU grace period, several ms each), and
// the job's peak memory is read back at the end, so the history
// knows which builds need much memory and the scheduler keeps them apart.
// Without it (no root, cgroup v2 only, a remote build user) jobs run the
// same, with no memory figure.

import { chownSync, existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

import type { BuildUser } from './sandbox-config.js';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';

export interface JobCgroup {
  /** Writing a pid here moves that process (and what it starts later) into the job's cgroup. */
  readonly procsFile: string;
  /** Peak memory of the job so far, in MiB. */
  peakMiB(): number | undefined;
  remove(): void;
}

let sequence = 0;

export function openJobCgroup(pkgname: string, user: BuildUser | undefined, root = MEMORY_ROOT): JobCgroup | undefined {
  if (!existsSync(join(root, 'cgroup.procs'))) return undefined;
  const dir = join(root, 'kiln', `${process.pid}-${++sequence}-${pkgname.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 200)}`);
  try {
    mkdirSync(dir, { recursive: true });
    const procsFile = join(dir, 'cgroup.procs');
    // The phase's first process moves itself in before it execs bwrap; it runs as the build user.
    if (user !== undefined) chownSync(procsFile, user.uid, user.gid);
    return {
      procsFile,
      peakMiB: () => {
        try {
          return Math.round(Number(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8')) / 2 ** 20);
        } catch {
          return undefined;
        }
      },
      remove: () => {
        try {
          rmdirSync(dir);
        } catch {
          // a process still in it (it dies with its sandbox): the empty group is harmless
        }
      },
    };
  } catch {
    return undefined;
  }
}

/** The argv that joins `procsFile`'s cgroup, then runs `argv`: no shell text is built from its arguments. */
export function joinCgroupArgv(procsFile: string, argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', 'echo $$ >"$0" && exec "$@"', procsFile, ...argv];
}
