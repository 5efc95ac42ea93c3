// What a host's load is now, measured where it runs: the 1-minute load
// average per core (os.loadavg), from /proc/meminfo the memory still
// available and the share of swap in use, from /proc/pressure the CPU,
// IO and memory pressure (PSI), and the free disk of the directory it builds in. The coordinator feeds it to the
// engine as `host-load`; the local executor measures this machine, the agent
// its own host and sends it over the connection.

import { readFileSync, statfsSync } from 'node:fs';
import { availableParallelism, freemem, loadavg } from 'node:os';

import type { HostLoad } from '../core/engine/engine-events.js';

/** Seconds between two measurements a host reports. */
export const LOAD_EVERY_S = 5;

/** The load now; `workDir`: where the host builds, whose free disk is measured too. */
export function measureLoad(workDir?: string): HostLoad {
  const cores = Math.max(1, availableParallelism());
  const mem = readMeminfo();
  const swapTotal = mem.get('SwapTotal') ?? 0;
  const swapFree = mem.get('SwapFree') ?? swapTotal;
  const availableKiB = mem.get('MemAvailable') ?? freemem() / 1024;
  return {
    loadPerCore: (loadavg()[0] ?? 0) / cores,
    swapUsed: swapTotal > 0 ? Math.min(1, Math.max(0, (swapTotal - swapFree) / swapTotal)) : 0,
    memoryFreeMiB: Math.floor(availableKiB / 1024),
    ...pressure('cpuPressure', '/proc/pressure/cpu'),
    ...pressure('ioPressure', '/proc/pressure/io'),
    ...pressure('memoryPressure', '/proc/pressure/memory'),
    ...diskFree(workDir),
  };
}

/** `some avg10=` of a /proc/pressure file (percent), or undefined (no PSI: an old or other kernel). */
export function parsePressure(text: string): number | undefined {
  const m = /^some avg10=(\d+(?:\.\d+)?)/m.exec(text);
  return m ? Math.min(100, Number(m[1])) : undefined;
}

function pressure<K extends 'cpuPressure' | 'ioPressure' | 'memoryPressure'>(key: K, file: string): Partial<Record<K, number>> {
  let value: number | undefined;
  try {
    value = parsePressure(readFileSync(file, 'utf8'));
  } catch {
    value = undefined;
  }
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, number>>);
}

function diskFree(dir: string | undefined): { diskFreeMiB?: number } {
  if (dir === undefined) return {};
  try {
    const fs = statfsSync(dir);
    return { diskFreeMiB: Math.floor((fs.bavail * fs.bsize) / 2 ** 20) };
  } catch {
    return {};
  }
}

/** `Key: N kB` lines of /proc/meminfo, in KiB; empty where there is none (not Linux). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)(?: kB)?$/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

function readMeminfo(): Map<string, number> {
  try {
    return parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
  } catch {
    return new Map();
  }
}
