// What a killed coordinator leaves behind, cleaned up when the next one
// starts: packages and index files half written under temporary names in
// the repository (readers never see them, but they take space), and job
// scratch directories. Each name carries the pid of the process that made
// it; only those of processes that are gone are removed.

import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { isAlive } from '../exec/agent/proc-identity.js';

/** `.kiln.tgz.<pid>-<hex>` (package-write.ts, pkgsrc-package.ts) and `<file>.<pid>-<hex>.tmp` (the index files). */
const REPOSITORY_TEMP = [/^\..+\.tgz\.(\d+)-[0-9a-f]{8}$/, /^.+\.(\d+)-[0-9a-f]{8}\.tmp$/];
/** `kiln-job-<pid>-XXXXXX` (scratch.ts; older kilns put the pkgname in place of `job`). */
const SCRATCH = /^kiln-.+-(\d+)-[A-Za-z0-9]{6}$/;

/** Removes temporary files of gone processes from the repository's All directory; returns their names. */
export function cleanRepository(allDir: string): string[] {
  return removeDead(allDir, (name) => REPOSITORY_TEMP.map((re) => re.exec(name)?.[1]).find((pid) => pid !== undefined), false);
}

/** Removes report files (`report.json.<pid>.tmp`) and lock files (`<name>.<pid>-<hex>.tmp`) gone processes were writing. */
export function cleanRunDir(logdir: string, lockdir: string): string[] {
  const removed = removeDead(logdir, (name) => /^report\.[a-z]+\.(\d+)\.tmp$/.exec(name)?.[1], false);
  for (const category of list(lockdir)) removed.push(...removeDead(join(lockdir, category), (name) => REPOSITORY_TEMP[1]!.exec(name)?.[1], false));
  return removed;
}

/** Removes job scratch directories of gone processes (this user's only); returns their names. */
export function cleanScratch(base: string): string[] {
  return removeDead(base, (name) => SCRATCH.exec(name)?.[1], true);
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function removeDead(dir: string, pidOf: (name: string) => string | undefined, directories: boolean): string[] {
  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const name of list(dir)) {
    const pid = pidOf(name);
    if (pid === undefined || isAlive({ pid: Number(pid), start: null })) continue;
    const path = join(dir, name);
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (!info || info.isDirectory() !== directories || (uid !== undefined && info.uid !== uid)) continue;
    try {
      rmSync(path, { recursive: directories, force: true });
      removed.push(name);
    } catch {
      // left for the next start; nothing depends on it
    }
  }
  return removed;
}
