// Jobserver tests: a make's side of a job's token pipe.

import { readSync } from 'node:fs';

/** Takes every token waiting in the pipe, as a make that starts sub-jobs would. */
export function takeTokens(fd: number): number {
  const buffer = Buffer.alloc(64);
  try {
    return readSync(fd, buffer, 0, 64, null);
  } catch {
    return 0;
  }
}
