// What each package file of the repository was built from (KILN_INPUTS)
// and what it holds (its content hash), read from the file itself and kept
// in the run store beside the file's size, mtime and inode, so an unchanged
// file is not read again. A job records the inputs it was started with
// first: a package a job wrote without KILN_INPUTS (a remote agent that
// does not carry it) still gets them, when the file is newer than the job.

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';

import { contentText, INPUTS_KEY } from '../core/job/build-stamp.js';
import type { PkgName } from '../core/model.js';
import { parseBuildInfo } from '../core/package-format/build-info.js';
import { parsePackingList } from '../core/package-format/packing-list.js';
import type { RunStore } from '../store/run-store.js';
import { readPackageHead } from './package-head.js';

export interface PackageStamp {
  /** What it was built from; undefined when nothing says. */
  readonly inputs: string | undefined;
  /** Hash of its content (see core/build-stamp.ts). */
  readonly content: string;
  readonly mtimeMs: number;
}

interface CachedStamp extends PackageStamp {
  readonly size: number;
  readonly ino: number;
}

/** The inputs a job of `run` was started with, at `startedAt` (seconds). */
export interface JobIntent {
  readonly run: number;
  readonly inputs: string;
  readonly startedAt: number;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class PackageStamps {
  /** Stamps read in this run: a package is in many sandboxes. */
  private readonly known = new Map<PkgName, CachedStamp>();
  /**
   * While the plan is made, a stamp read once is trusted without looking at
   * the file again (the whole tree is judged at once); afterwards each read
   * checks the file's size, mtime and inode (another run sharing the
   * repository may rebuild a package).
   */
  planning = false;

  constructor(private readonly store: RunStore, private readonly allDir: string) {}

  /** The stamp of `pkgname`'s package file; undefined when there is none or it is not a readable package. */
  read(pkgname: PkgName): PackageStamp | undefined {
    const known = this.known.get(pkgname);
    if (known && this.planning) return known;
    const stamp = this.readFile(pkgname, known);
    // Only a current package is remembered: one that is missing now may be built by another run soon.
    if (stamp !== undefined) this.known.set(pkgname, stamp);
    else this.known.delete(pkgname);
    return stamp;
  }

  /**
   * The stamp as the file is now, whatever was read before (another run may
   * have just built it); not remembered, since a job of it may be about to
   * replace the file.
   */
  fresh(pkgname: PkgName): PackageStamp | undefined {
    return this.readFile(pkgname, this.known.get(pkgname));
  }

  private readFile(pkgname: PkgName, known?: CachedStamp): CachedStamp | undefined {
    const file = join(this.allDir, `${pkgname}.tgz`);
    const info = statSync(file, { throwIfNoEntry: false });
    if (!info?.isFile()) return undefined;
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) return known;
    const cached = this.cached(pkgname);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs && cached.ino === info.ino) return cached;
    const head = readPackageHead(file);
    if (typeof head === 'string') return undefined;
    const contents = head.get('+CONTENTS');
    if (contents === undefined) return undefined;
    const stamped = parseBuildInfo(head.get('+BUILD_INFO') ?? '').get(INPUTS_KEY)?.[0];
    const intent = this.intent(pkgname);
    const inputs = stamped ?? (intent && intent.startedAt * 1000 <= info.mtimeMs ? intent.inputs : undefined);
    const stamp: CachedStamp = {
      inputs, content: sha256(contentText(parsePackingList(contents))), mtimeMs: info.mtimeMs, size: info.size, ino: info.ino,
    };
    this.store.put(`stamp:${pkgname}`, JSON.stringify(stamp));
    return stamp;
  }

  /** Records the inputs a job starts with, before it runs; its package is read again once it is built. */
  intend(pkgname: PkgName, intent: JobIntent): void {
    this.store.put(`intent:${pkgname}`, JSON.stringify(intent));
  }

  /** Whether a job of `run` wrote the package file there now. */
  builtIn(run: number, pkgname: PkgName, stamp: PackageStamp): boolean {
    const intent = this.intent(pkgname);
    return intent !== undefined && intent.run === run && intent.startedAt * 1000 <= stamp.mtimeMs;
  }

  private cached(pkgname: PkgName): CachedStamp | undefined {
    return parseJson<CachedStamp>(this.store.get(`stamp:${pkgname}`), (v) =>
      typeof v.content === 'string' && typeof v.size === 'number' && typeof v.mtimeMs === 'number' && typeof v.ino === 'number'
      && (v.inputs === undefined || typeof v.inputs === 'string'));
  }

  private intent(pkgname: PkgName): JobIntent | undefined {
    return parseJson<JobIntent>(this.store.get(`intent:${pkgname}`), (v) =>
      typeof v.run === 'number' && typeof v.inputs === 'string' && typeof v.startedAt === 'number');
  }
}

function parseJson<T>(text: string | undefined, valid: (value: Partial<Record<keyof T, unknown>>) => boolean): T | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && valid(value) ? value as T : undefined;
  } catch {
    return undefined;
  }
}
