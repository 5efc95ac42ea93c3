// Who holds a lock: a kiln process named by host, pid, its start time and
// the boot it started in, so a lock is known stale when that process is
// gone, even after a reboot gave its pid to another process. A process on
// another host cannot be looked at: its locks are taken as held.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import { isAlive, recordOf } from '../exec/agent/proc-identity.js';

export interface ProcessOwner {
  readonly host: string;
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat), when known. */
  readonly start: string | undefined;
  /** /proc/sys/kernel/random/boot_id, when known. */
  readonly boot: string | undefined;
}

export type OwnerState = 'alive' | 'gone' | 'elsewhere';

let bootId: string | undefined | null = null;

function currentBoot(): string | undefined {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}

export function thisProcess(): ProcessOwner {
  const record = recordOf(process.pid);
  return { host: hostname(), pid: process.pid, start: record.start ?? undefined, boot: currentBoot() };
}

/** Whether `owner` still runs: `elsewhere` when it is on another host. */
export function ownerState(owner: ProcessOwner): OwnerState {
  if (owner.host !== hostname()) return 'elsewhere';
  const boot = currentBoot();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return 'gone';
  return isAlive({ pid: owner.pid, start: owner.start ?? null }) ? 'alive' : 'gone';
}

/** `1234 on host`, as dpb writes it. */
export function describeOwner(owner: ProcessOwner): string {
  return `kiln pid ${owner.pid} on ${owner.host}`;
}
