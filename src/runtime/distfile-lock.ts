// One fetch of a distfile at a time, across ports and across kiln runs
// sharing DISTDIR: `<name>.kiln-lock` beside it, a lock file like the run
// lock's (lock-file.ts: it appears whole, names the process by host, pid,
// start time and boot). A lock whose process is gone (a killed run) is
// broken; otherwise the others wait for it to go. The fetcher (src/fetch)
// is given this as its DistfileLocker.

import { setTimeout as sleep } from 'node:timers/promises';

import type { DistfileLocker, DistfileLockResult } from '../fetch/fetch-distfile.js';
import { breakLock, createLock, formatLock, readLock, removeLock } from './lock-file.js';
import { ownerState, thisProcess } from './process-owner.js';

/** Takes the lock of the distfile kept at `file`, polling every `pollMs` while a live process holds it. */
export async function lockDistfile(file: string, signal: AbortSignal, pollMs = 100): Promise<DistfileLockResult> {
  const path = `${file}.kiln-lock`;
  const text = formatLock([['distfile', file]], thisProcess(), Date.now() / 1000);
  for (;;) {
    if (signal.aborted) return undefined;
    if (createLock(path, text)) return { release: () => removeLock(path) };
    const held = readLock(path);
    if (held.kind === 'bad') return { problem: `${path} is there but kiln cannot read it (${held.reason}); if no kiln fetches ${file}, delete it` };
    if (held.kind === 'none') continue;
    if (ownerState(held.owner) === 'gone') {
      breakLock(path, held.text);
      continue;
    }
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
}

export const distfileLocker: DistfileLocker = lockDistfile;
