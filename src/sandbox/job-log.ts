// A job's logs: `<logDir>/<phase>.log` holds exactly one phase's output,
// and `logFile` all of them in order, each under a header line, so a
// person reads one file and a failure classifier reads one phase.

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { BuildJob } from './build-job.js';

export class JobLog {
  private constructor(private readonly job: BuildJob, private readonly whole: FileHandle) {}

  static async open(job: BuildJob): Promise<JobLog> {
    await mkdir(job.logDir, { recursive: true });
    await mkdir(dirname(job.logFile), { recursive: true });
    return new JobLog(job, await open(job.logFile, 'a'));
  }

  /** Starts a phase's log, truncating an older one of the same name. */
  async phase(phase: string, host: string, at: Date): Promise<PhaseLog> {
    const own = await open(join(this.job.logDir, `${phase}.log`), 'w');
    await writeAll(this.whole, `===> kiln: ${phase} for ${this.job.pkgname} (${this.job.pkgpath}) on ${host} at ${at.toISOString()}\n`);
    return new PhaseLog(own, this.whole);
  }

  /** A line in the whole log only: how a phase ended. */
  async footer(text: string): Promise<void> {
    await writeAll(this.whole, `===> kiln: ${text}\n`);
  }

  async close(): Promise<void> {
    await this.whole.close();
  }
}

export class PhaseLog {
  constructor(private readonly own: FileHandle, private readonly whole: FileHandle) {}

  /** Output of the phase, to both logs. */
  async write(chunk: Buffer | string): Promise<void> {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    await Promise.all([writeAll(this.own, bytes), writeAll(this.whole, bytes)]);
  }

  /** A line of kiln's own about the phase, in the phase's words. */
  async note(text: string): Promise<void> {
    await this.write(`kiln: ${text}\n`);
  }

  async close(): Promise<void> {
    await this.own.close();
  }
}

/** Writes every byte (a write may be short, on a full disk say). */
async function writeAll(handle: FileHandle, data: Buffer | string): Promise<void> {
  let bytes = typeof data === 'string' ? Buffer.from(data) : data;
  while (bytes.length > 0) {
    const { bytesWritten } = await handle.write(bytes);
    if (bytesWritten === 0) throw new Error('log write made no progress');
    bytes = bytes.subarray(bytesWritten);
  }
}
