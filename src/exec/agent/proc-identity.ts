// A process named by pid and start time, so a pid file never makes us
// signal an unrelated process that later got the same pid. Where there is
// no /proc (BSD), the start time is unknown and the pid alone is used.

import { readFileSync } from 'node:fs';

export interface ProcessRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot), or null where unknown. */
  readonly start: string | null;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function recordOf(pid: number): ProcessRecord {
  return { pid, start: statFields(pid)?.[19] ?? null };
}

/** Whether the recorded process still runs (a zombie does not). */
export function isAlive(record: ProcessRecord): boolean {
  if (!Number.isInteger(record.pid) || record.pid <= 1) return false;
  try {
    process.kill(record.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const fields = statFields(record.pid);
  if (fields === undefined) return record.start === null;
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return record.start === null || fields[19] === record.start;
}

/** Signals a process group, ignoring one that is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

export function parseRecord(value: unknown): ProcessRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, start } = value as { pid?: unknown; start?: unknown };
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return undefined;
  if (start !== null && typeof start !== 'string') return undefined;
  return { pid, start };
}
