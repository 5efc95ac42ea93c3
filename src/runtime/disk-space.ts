// Free space where jobs write on the coordinator: the repository (packages)
// and the run directory (logs, the store). kiln needs 64 MiB free in each,
// plus the largest package (repository) or log (run directory) it has seen,
// so a job that starts can finish writing. Below that the engine starts no
// job; a job that ran out of space anyway raises the need to what was free
// then plus that much, so space must be freed before jobs start again.
// Looked at with statfs every few seconds while the build runs.

import { readdirSync, statfsSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';

import type { EngineEvent } from '../core/engine/engine-events.js';

export const MIN_FREE_BYTES = 64 * 1024 * 1024;
/** Seconds between looks at the free space. */
export const SPACE_POLL_S = 3;

interface Watched {
  readonly what: string;
  readonly path: string;
  /** The largest file kiln has seen written there. */
  largest: number;
  /** Free bytes needed after a job ran out of space there (0: none did). */
  floor: number;
  short: boolean;
}

export interface DiskSpaceOptions {
  readonly repository: string;
  readonly logdir: string;
  /** The largest log of the port's history, in bytes. */
  readonly largestLog: number;
  readonly now: () => number;
}

export class DiskSpace {
  private readonly watched: Watched[];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DiskSpaceOptions) {
    this.watched = [
      { what: 'repository', path: o.repository, largest: largestFile(join(o.repository, 'All')), floor: 0, short: false },
      { what: 'run directory', path: o.logdir, largest: o.largestLog, floor: 0, short: false },
    ];
  }

  /** Looks at every watched directory; events for those whose state changed, or (`all`, for a new engine) for every short one. */
  check(all = false): EngineEvent[] {
    return this.watched.flatMap((w) => {
      const event = this.look(w, all);
      return event === undefined ? [] : [event];
    });
  }

  /** Looks every few seconds, until `stop`. */
  start(push: (event: EngineEvent) => void): void {
    this.timer = setInterval(() => this.check().forEach(push), SPACE_POLL_S * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A package or log of `bytes` was written under `path`: later jobs may write as much. */
  wrote(path: string, bytes: number): void {
    const w = this.holding(path);
    if (w) w.largest = Math.max(w.largest, bytes);
  }

  /** A package file was written: its size counts. */
  wrotePackage(file: string): void {
    try {
      this.wrote(file, statSync(file).size);
    } catch {
      // gone already: nothing to learn
    }
  }

  /**
   * A job ran out of space writing `path`. The event that closes the gate
   * for the watched directory holding it; undefined when no watched directory
   * holds it (the job's host's own disk: its failure counts as usual).
   */
  ranOut(path: string): EngineEvent | undefined {
    const w = this.holding(path);
    if (!w) return undefined;
    const free = freeBytes(w.path) ?? 0;
    w.floor = free + this.base(w);
    w.short = true;
    return { type: 'space-short', at: this.o.now(), where: w.path, reason: this.shortText(w, free) };
  }

  private look(w: Watched, all: boolean): EngineEvent | undefined {
    const free = freeBytes(w.path);
    if (free === undefined) return undefined;
    const short = free < this.need(w);
    if (short === w.short && !(all && short)) return undefined;
    w.short = short;
    if (short) return { type: 'space-short', at: this.o.now(), where: w.path, reason: this.shortText(w, free) };
    w.floor = 0;
    return { type: 'space-ok', at: this.o.now(), where: w.path, reason: `the ${w.what} ${w.path} has ${mib(free)} free again: jobs start again` };
  }

  private base(w: Watched): number {
    return MIN_FREE_BYTES + w.largest;
  }

  private need(w: Watched): number {
    return Math.max(this.base(w), w.floor);
  }

  private shortText(w: Watched, free: number): string {
    const need = this.need(w);
    return `the ${w.what} ${w.path} is short of space: ${mib(free)} free, kiln needs ${mib(need)} there, `
      + `${mib(need - free)} missing; no new job starts until that much is freed (kiln looks every ${SPACE_POLL_S} s, or stop it and run the same command later)`;
  }

  private holding(path: string): Watched | undefined {
    const within = (dir: string): boolean => {
      const rel = relative(dir, path);
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    };
    return this.watched.filter((w) => within(w.path)).sort((a, b) => b.path.length - a.path.length)[0];
  }
}

function freeBytes(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** The largest package already in the repository, read once at the start. */
function largestFile(dir: string): number {
  let largest = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.tgz')) continue;
      try {
        largest = Math.max(largest, statSync(join(dir, entry.name)).size);
      } catch {
        // removed meanwhile
      }
    }
  } catch {
    // no repository yet
  }
  return largest;
}

function mib(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return `${m >= 10 ? Math.ceil(m) : Math.ceil(m * 10) / 10} MiB`;
}
