// One coordinator per run directory: `<logdir>/kiln.lock` names the kiln
// process that uses it. A second `kiln build` on the same run directory
// refuses, saying who has it; a lock whose process is gone (killed, power
// lost) is taken over, and that run resumes.

import { join } from 'node:path';

import { StoreError } from '../store/run-store.js';
import { breakLock, createLock, formatLock, readLock, removeLock } from './lock-file.js';
import { describeOwner, ownerState, thisProcess } from './process-owner.js';

export const RUN_LOCK = 'kiln.lock';

/** A run directory another live kiln process uses. */
export class RunDirBusy extends StoreError {}

export interface RunLock {
  readonly file: string;
  release(): void;
}

export function lockRunDir(logdir: string, args: readonly string[], now: number): RunLock {
  const file = join(logdir, RUN_LOCK);
  const me = thisProcess();
  const text = formatLock([['logdir', logdir], ['args', args.join(' ')]], me, now);
  for (let tries = 0; tries < 3; tries++) {
    try {
      if (createLock(file, text)) return { file, release: () => removeLock(file) };
    } catch (err) {
      throw new StoreError(`cannot write ${file}: ${(err as Error).message}`);
    }
    const held = readLock(file);
    if (held.kind === 'none') continue;
    if (held.kind === 'bad') {
      throw new RunDirBusy(`${file} is there but kiln cannot read it (${held.reason}); if no kiln uses ${logdir}, delete it`);
    }
    const state = ownerState(held.owner);
    if (state === 'gone') {
      breakLock(file, held.text);
      continue;
    }
    const where = state === 'elsewhere' ? `; if that process is gone, delete ${file}` : '';
    throw new RunDirBusy(`${logdir} is in use by ${describeOwner(held.owner)} ${since(held.fields)}: `
      + `wait for it to end, drain it with kiln stop --logdir ${logdir}, or give this build another --logdir${where}`);
  }
  throw new RunDirBusy(`${file}: other kiln processes keep taking it`);
}

/** ` (since 2026-12-06 05:12:39 UTC)`, from a lock's `since=EPOCH (DATE)` line: the date, as people read it. */
function since(fields: ReadonlyMap<string, string>): string {
  const date = /\((.+)\)/.exec(fields.get('since') ?? '')?.[1];
  return date === undefined ? '' : ` (since ${date})`;
}
