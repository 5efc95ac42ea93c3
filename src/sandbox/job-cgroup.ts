// A memory cgroup per job, where the host allows it (root, cgroup v1's
// memory controller): every process of the job's phases that run port code
// joins it before it runs (not kiln's own dependency install, whose page
// cache says nothing of the port), and the job's peak memory is read back
// at the end, so the history
// knows which builds need much memory and the scheduler keeps them apart.
// Without it (no root, cgroup v2 only, a remote build user) jobs run the
// same, with no memory figure.

import { chownSync, existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

import type { BuildUser } from './sandbox-config.js';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';

export interface JobCgroup {
  /** Writing 0 here moves the writing thread (and what it starts later) into the job's cgroup. */
  readonly tasksFile: string;
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
    const tasksFile = join(dir, 'tasks');
    // The phase's first process moves itself in before it execs bwrap; it runs as the build user.
    if (user !== undefined) chownSync(tasksFile, user.uid, user.gid);
    return {
      tasksFile,
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

/**
 * The argv that joins `tasksFile`'s cgroup, then runs `argv`: no shell text
 * is built from its arguments. It moves its one thread, itself (`0`), through
 * `tasks`: the kernel then skips the lock that a move of a whole process
 * through `cgroup.procs` takes, whose RCU grace period cost 8 ms a phase
 * (Linux 6.18; bench:sandbox). sh has no other thread, so its process moves
 * whole, and bwrap and the build it execs stay there.
 */
export function joinCgroupArgv(tasksFile: string, argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', 'echo 0 >"$0" && exec "$@"', tasksFile, ...argv];
}
