// A job's log: one file, `logFile`, every phase's output in order, each
// under a header line (`===> kiln: PHASE for ...`) and ended by a footer,
// so a person reads one file and a failure classifier reads the end of the
// failing phase (the last one). Each byte of output is written once, up to
// the log cap (core/log-cap.ts): past it the output is left out, the log
// says so, and its mtime still moves while output comes, so no reader takes
// a busy job for a stuck one.

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

import { cutLine, DEFAULT_LOG_CAP, leftOutLine, LogBudget } from '../core/job/log-cap.js';
import type { BuildJob } from '../job/build-job.js';

export class JobLog {
  private readonly budget: LogBudget;
  private touchedAt = 0;

  private constructor(private readonly job: BuildJob, private readonly whole: FileHandle, cap: number, private readonly onDropped: (() => void) | undefined) {
    this.budget = new LogBudget(cap);
  }

  /** `onDropped`: output came that the cap left out (at most once a second): the job is alive. */
  static async open(job: BuildJob, onDropped?: () => void): Promise<JobLog> {
    await mkdir(dirname(job.logFile), { recursive: true });
    return new JobLog(job, await open(job.logFile, 'a'), job.logCapBytes ?? DEFAULT_LOG_CAP, onDropped);
  }

  /** Starts a phase: its header line. */
  async phase(phase: string, host: string, at: Date): Promise<void> {
    await writeAll(this.whole, `===> kiln: ${phase} for ${this.job.pkgname} (${this.job.pkgpath}) on ${host} at ${at.toISOString()}\n`);
  }

  /** A line of kiln's own: how a phase ended. */
  async footer(text: string): Promise<void> {
    await writeAll(this.whole, `===> kiln: ${text}\n`);
  }

  /** Output of the phase, as far as the cap lets it in. */
  async write(chunk: Buffer | string): Promise<void> {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const { keep, cut } = this.budget.take(bytes.length);
    if (keep > 0) await writeAll(this.whole, keep === bytes.length ? bytes : bytes.subarray(0, keep));
    if (cut) await writeAll(this.whole, cutLine(this.budget.cap));
    if (keep < bytes.length && Date.now() - this.touchedAt >= 1000) {
      this.touchedAt = Date.now();
      const now = new Date();
      await this.whole.utimes(now, now);
      this.onDropped?.();
    }
  }

  /** A line of kiln's own about the phase, in the phase's words. */
  async note(text: string): Promise<void> {
    await this.write(`kiln: ${text}\n`);
  }

  async close(): Promise<void> {
    try {
      if (this.budget.dropped > 0) await writeAll(this.whole, leftOutLine(this.budget.dropped));
    } finally {
      await this.whole.close();
    }
  }
}

/** What a phase's steps write to: its output and kiln's notes. */
export type PhaseLog = Pick<JobLog, 'write' | 'note'>;

/** Writes every byte (a write may be short, on a full disk say). */
async function writeAll(handle: FileHandle, data: Buffer | string): Promise<void> {
  let bytes = typeof data === 'string' ? Buffer.from(data) : data;
  while (bytes.length > 0) {
    const { bytesWritten } = await handle.write(bytes);
    if (bytesWritten === 0) throw new Error('log write made no progress');
    bytes = bytes.subarray(bytesWritten);
  }
}
