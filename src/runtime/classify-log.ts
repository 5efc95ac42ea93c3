// The runtime's side of failure classes: read the end of the job's log (the
// failing phase is the last in it) and class it, kiln's own `===> kiln:`
// lines left out (src/core/job/error-class.ts holds the rules).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { classifyFailure, LOG_TAIL_BYTES, type ErrorClass } from '../core/job/error-class.js';

/** The class of a failure from its log file; a log that cannot be read leaves the phase and coarse error to decide. */
export function classifyLogFile(phase: string, logFile: string, coarseError: string): ErrorClass {
  const tail = readTail(logFile, LOG_TAIL_BYTES).split('\n').filter((line) => !line.startsWith('===> kiln: ')).join('\n');
  return classifyFailure(phase, tail, coarseError);
}

/** The last `bytes` of a file as text, or '' when it cannot be read. */
export function readTail(file: string, bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
