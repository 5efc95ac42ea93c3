// The processes of one test host, read from /proc: a process is on a host
// when it lives in that host's network namespace, or was started under one
// that does (a build sandbox has a network namespace of its own).

import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';

export interface HostProcess {
  readonly pid: number;
  readonly ppid: number;
  /** Process group. */
  readonly pgid: number;
  /** `R`, `S`, `D`, `T`, `Z` (zombie: ended, not yet reaped) ... */
  readonly state: string;
  readonly comm: string;
  /** argv joined by spaces. */
  readonly cmdline: string;
  readonly uid: number;
}

/** Whether a process still runs (a zombie has ended; PID 1 reaps late here). */
export const isLive = (p: HostProcess): boolean => p.state !== 'Z' && p.state !== 'X';

/**
 * Every process on the host whose network namespace is the one bound at
 * `/run/netns/<namespace>`, and every process started under one of those:
 * a build sandbox unshares its own network namespace but still runs there.
 */
export async function processesInNamespace(namespace: string): Promise<HostProcess[]> {
  const inode = (await stat(`/run/netns/${namespace}`)).ino;
  const want = `net:[${inode}]`;
  const all: Array<HostProcess & { readonly inHost: boolean }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = await readProcess(Number(entry), want);
    if (p) all.push(p);
  }
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const onHost = (p: HostProcess & { readonly inHost: boolean }, depth: number): boolean => {
    if (p.inHost) return true;
    const parent = byPid.get(p.ppid);
    return parent !== undefined && depth < 64 && onHost(parent, depth + 1);
  };
  return all.filter((p) => onHost(p, 0)).map(({ inHost: _, ...p }) => p);
}

/** One process, and whether it is in the network namespace `want`; undefined when gone. */
async function readProcess(pid: number, want: string): Promise<(HostProcess & { readonly inHost: boolean }) | undefined> {
  try {
    const inHost = (await readlink(`/proc/${pid}/ns/net`)) === want;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((s) => s !== '').join(' ');
    return {
      pid,
      comm: stat.slice(open + 1, close),
      state: fields[0] ?? '?',
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      cmdline,
      uid,
      inHost,
    };
  } catch {
    return undefined; // ended while we looked
  }
}

/** Whether pid runs, by /proc (a zombie does not: `kill -0` would say it does). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
