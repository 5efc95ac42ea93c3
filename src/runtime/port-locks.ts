// The lock directory: `<lockdir>/<category>/<name>` for each port being
// built, or that failed and waits for a person. It may be shared by several
// kiln runs (their own run directories, one --lockdir): a pkgpath is built
// by one of them at a time. A lock says what, where and by whom:
//
//   locked=devel/libfoo        pkgname=libfoo-1.2     status=building|failed
//   phase=build                error=compiler error   host=builder1
//   logdir=/var/kiln/logs      run=3                  inputs=<hash>
//   log=/var/kiln/logs/packages/libfoo-1.2.log
//   kiln=4242 on coordinator   start=...  boot=...    since=...
//
// Deleting a failed port's lock (or `kiln retry PKGPATH`) asks for it to be
// built again, by the running build at once.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { PkgName, PkgPath } from '../core/model.js';
import { isPkgPath } from '../core/pkgpath.js';
import { breakLock, createLock, formatLock, readLock, removeLock, replaceLock } from './lock-file.js';
import { describeOwner, ownerState, type ProcessOwner } from './process-owner.js';

export interface PortLock {
  readonly pkgpath: PkgPath;
  readonly pkgname: PkgName;
  readonly status: 'building' | 'failed';
  readonly phase: string | undefined;
  readonly error: string | undefined;
  readonly logdir: string;
  readonly run: number | undefined;
  readonly inputs: string | undefined;
  /** The host its job ran on, and its log (a failed lock keeps them for the next run's reports). */
  readonly host: string | undefined;
  readonly log: string | undefined;
  readonly owner: ProcessOwner;
  /** The file's text, to tell it from a later lock. */
  readonly text: string;
}

export type LockLook =
  | { readonly kind: 'none' }
  | { readonly kind: 'lock'; readonly lock: PortLock }
  | { readonly kind: 'bad'; readonly reason: string };

/** What a job of this run wants to write into its port's lock. */
export interface LockState {
  readonly pkgname: PkgName;
  readonly status: 'building' | 'failed';
  readonly phase?: string;
  readonly error?: string;
  readonly host?: string;
  readonly inputs?: string;
  readonly log?: string;
}

export class PortLocks {
  constructor(
    readonly dir: string,
    private readonly logdir: string,
    private readonly run: number,
    private readonly me: ProcessOwner,
    private readonly now: () => number,
  ) {}

  path(pkgpath: PkgPath): string {
    return join(this.dir, pkgpath);
  }

  look(pkgpath: PkgPath): LockLook {
    const read = readLock(this.path(pkgpath));
    if (read.kind !== 'lock') return read;
    const f = read.fields;
    const status = f.get('status');
    if (f.get('locked') !== pkgpath || (status !== 'building' && status !== 'failed')) {
      return { kind: 'bad', reason: `not a lock of ${pkgpath} (locked=${f.get('locked') ?? ''}, status=${status ?? ''})` };
    }
    const run = Number(f.get('run'));
    return {
      kind: 'lock',
      lock: {
        pkgpath, pkgname: f.get('pkgname') ?? '', status, phase: f.get('phase'), error: f.get('error'), logdir: f.get('logdir') ?? '',
        run: Number.isInteger(run) ? run : undefined, inputs: f.get('inputs'), host: f.get('host'), log: f.get('log'), owner: read.owner, text: read.text,
      },
    };
  }

  /** A lock this run directory wrote (this process or an earlier one of the same run directory). */
  isOwn(lock: PortLock): boolean {
    return lock.logdir === this.logdir;
  }

  /** Whether the process that wrote a lock is gone (the lock is stale). */
  isStale(lock: PortLock): boolean {
    return ownerState(lock.owner) === 'gone';
  }

  /** Takes the lock if nothing is there: the text written, or undefined if something is there. */
  create(pkgpath: PkgPath, state: LockState): string | undefined {
    const text = this.text(pkgpath, state);
    return createLock(this.path(pkgpath), text) ? text : undefined;
  }

  /** Writes the lock over what is there (this run's own, or one it may take over); returns the text. */
  write(pkgpath: PkgPath, state: LockState): string {
    const text = this.text(pkgpath, state);
    replaceLock(this.path(pkgpath), text);
    return text;
  }

  /** Takes away a stale lock; false when it changed meanwhile. */
  breakStale(lock: PortLock): boolean {
    return breakLock(this.path(lock.pkgpath), lock.text);
  }

  remove(pkgpath: PkgPath): void {
    removeLock(this.path(pkgpath), true);
  }

  /** Every pkgpath with a file in the lock directory (temporary files left out). */
  pkgpaths(): PkgPath[] {
    const found: PkgPath[] = [];
    for (const category of list(this.dir)) {
      for (const name of list(join(this.dir, category))) {
        const pkgpath = `${category}/${name}`;
        if (!name.endsWith('.tmp') && isPkgPath(pkgpath)) found.push(pkgpath);
      }
    }
    return found;
  }

  /** Who holds a lock, for messages. */
  static describe(lock: PortLock): string {
    return `${describeOwner(lock.owner)} (run ${lock.run ?? '?'} of ${lock.logdir})`;
  }

  private text(pkgpath: PkgPath, state: LockState): string {
    const fields: [string, string | number | undefined][] = [
      ['locked', pkgpath], ['pkgname', state.pkgname], ['status', state.status], ['phase', state.phase], ['error', state.error],
      ['host', state.host], ['logdir', this.logdir], ['run', this.run], ['inputs', state.inputs], ['log', state.log],
    ];
    return formatLock(fields, this.me, this.now());
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
