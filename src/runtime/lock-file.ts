// Lock files, dpb's way: one small file of KEY=VALUE lines a person can
// read (`cat`) and delete. A lock appears whole or not at all: it is
// written under a temporary name, then linked into place (which fails if
// a lock is there) or renamed over one the writer already owns.

import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { ProcessOwner } from './process-owner.js';
import { oneLine } from '../core/formats/one-line.js';

export type LockFields = ReadonlyMap<string, string>;

export type ReadLock =
  | { readonly kind: 'none' }
  | { readonly kind: 'lock'; readonly text: string; readonly fields: LockFields; readonly owner: ProcessOwner }
  /** Something is there but it is not a lock kiln can read: it is left alone, and named. */
  | { readonly kind: 'bad'; readonly text: string; readonly reason: string };

/** The text of a lock: `fields` in order, then who holds it and since when. */
export function formatLock(fields: readonly (readonly [string, string | number | undefined])[], owner: ProcessOwner, since: number): string {
  const lines: string[] = [];
  const add = (key: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') lines.push(`${key}=${oneLine(String(value))}`);
  };
  for (const [key, value] of fields) add(key, value);
  add('kiln', `${owner.pid} on ${owner.host}`);
  add('start', owner.start);
  add('boot', owner.boot);
  add('since', `${Math.floor(since)} (${new Date(since * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC)`);
  return lines.join('\n') + '\n';
}

export function parseLock(text: string): ReadLock {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const equals = line.indexOf('=');
    if (equals <= 0) return { kind: 'bad', text, reason: `not KEY=VALUE: ${JSON.stringify(line.slice(0, 80))}` };
    fields.set(line.slice(0, equals), line.slice(equals + 1));
  }
  const kiln = /^(\d+) on (\S+)$/.exec(fields.get('kiln') ?? '');
  if (!kiln) return { kind: 'bad', text, reason: 'no kiln=PID on HOST line' };
  const owner: ProcessOwner = { pid: Number(kiln[1]), host: kiln[2]!, start: fields.get('start'), boot: fields.get('boot') };
  return { kind: 'lock', text, fields, owner };
}

export function readLock(file: string): ReadLock {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'bad', text: '', reason: `cannot read it: ${(err as Error).message}` };
  }
  return parseLock(text);
}

/** Puts `text` at `file` if nothing is there; false if something is. Throws when the directory cannot be written. */
export function createLock(file: string, text: string): boolean {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempName(file);
  writeFileSync(temp, text, { flag: 'wx', mode: 0o644 });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Replaces a lock its writer owns (a new phase, a failure), or puts it there. */
export function replaceLock(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempName(file);
  try {
    writeFileSync(temp, text, { flag: 'wx', mode: 0o644 });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Removes a lock; with `pruneDir`, its directory too once that is empty (a port lock's category). */
export function removeLock(file: string, pruneDir = false): void {
  rmSync(file, { force: true });
  if (!pruneDir) return;
  try {
    rmdirSync(dirname(file));
  } catch {
    // not empty, or not ours to remove
  }
}

/**
 * Takes away a lock that held `stale` (its owner is gone). It is moved
 * aside first and looked at: if another process had already replaced it
 * with a live lock, that one is put back. True when the stale lock is gone.
 */
export function breakLock(file: string, stale: string): boolean {
  const aside = tempName(file);
  try {
    renameSync(file, aside);
  } catch {
    return false;
  }
  const moved = readFileSync(aside, 'utf8');
  if (moved === stale) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, file);
  } catch {
    // another lock is there already: the moved one was the older
  }
  unlinkSync(aside);
  return false;
}

function tempName(file: string): string {
  return `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}
