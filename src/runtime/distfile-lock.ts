// One fetch of a distfile at a time, across ports and across kiln runs
// sharing DISTDIR: a lock file beside it, made with O_EXCL, holding the
// pid of the process that fetches. A lock whose process is gone (a killed
// run) is stale and broken; otherwise the others wait for it to go.

import { constants } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';

export interface DistfileLock {
  release(): Promise<void>;
}

/** The lock file of a distfile kept at `file`. */
export function lockPath(file: string): string {
  return `${file}.kiln-lock`;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `file`, waiting (polling every `pollMs`) while a live process holds it. */
export async function lockDistfile(file: string, signal: AbortSignal, pollMs = 100): Promise<DistfileLock | undefined> {
  const path = lockPath(file);
  for (;;) {
    if (signal.aborted) return undefined;
    try {
      const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // A lock just made may not hold its pid yet: only a readable pid of a dead process is stale.
    if (holder > 0 && holder !== process.pid && !alive(holder)) {
      await rm(path, { force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
