// The agent's side of one job: wait for the files it needs, lay out its
// directory, hand it to a job runner (its own process group, pid file beside
// the job), stream the whole log as it grows and the phases as they come, then
// send the package (and any file the job left beside its log) and say how it ended.
// The job holds its place in the host's make jobserver (agent-jobserver.ts)
// from its start until it ends, however it ends.

import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { JobOutcome } from '../../core/model.js';
import type { BuildJob, BuildReport } from '../../job/build-job.js';
import { appendNote, joinHostJobserver, type JobPlace } from './agent-jobserver.js';
import type { BlobStore } from './blob-store.js';
import { CHUNK, type FrameWriter } from './frames.js';
import type { HostWork } from './host-work.js';
import { layOutJob } from './job-dir.js';
import type { RunnerLine } from './job-runner.js';
import { writeRecord } from './leftovers.js';
import { recordOf, signalGroup } from './proc-identity.js';
import type { JobSpec } from './protocol.js';
import type { Runner, RunnerPool } from './runner-pool.js';
import type { TreeStore } from './tree-store.js';
import { isSafeFileName } from './safe-path.js';

const LOG_POLL_MS = 200;
const CANCEL_GRACE_MS = 5000;
/** The builder enforces the job's timeout; the agent steps in this much later. */
const TIMEOUT_BACKSTOP_S = 60;

export interface JobContext {
  readonly writer: FrameWriter;
  readonly store: BlobStore;
  /** Where this host keeps pkgsrc trees. */
  readonly trees: TreeStore;
  /** Job runners, kept between jobs. */
  readonly runners: RunnerPool;
}

export class RemoteJob implements HostWork {
  readonly missing: Set<string>;
  /** The runner while the job has it: until it reports, or ends without a report. */
  #runner: Runner | undefined;
  /** The runner was sent a signal: it is not given another job. */
  #signalled = false;
  #runnerErr = '';
  #job: BuildJob | undefined;
  /** Its place in the host's make jobserver, from its start to its end. */
  #tokens: JobPlace | undefined;
  #stopReason: JobOutcome | undefined;
  #report: BuildReport | undefined;
  #lastPhase = 'build';
  #logOffset = 0;
  #tailing: Promise<void> = Promise.resolve();
  #log: Promise<FileHandle | undefined> | undefined;
  #timers: NodeJS.Timeout[] = [];
  #ended = false;
  readonly ended: Promise<void>;
  #resolveEnded: () => void = () => undefined;

  constructor(
    readonly id: number,
    readonly dir: string,
    private readonly spec: JobSpec,
    missing: readonly string[],
    private readonly ctx: JobContext,
  ) {
    this.missing = new Set(missing);
    this.ended = new Promise((r) => { this.#resolveEnded = r; });
  }

  /** A file it needed arrived; starts the job once nothing is missing. */
  arrived(hash: string): void {
    if (this.missing.delete(hash) && this.missing.size === 0 && !this.#ended) void this.#start();
  }

  /** A file it needed could not be had: the job ends as an infrastructure failure. */
  unavailable(hash: string, reason: string): void {
    if (this.missing.has(hash)) void this.#finish({ kind: 'infrastructure', reason });
  }

  /** Starts at once when nothing is missing. */
  kick(): void {
    if (this.missing.size === 0) void this.#start();
  }

  /** Cancels: the job's group gets SIGTERM, then SIGKILL after a grace period. */
  cancel(outcome: JobOutcome = { kind: 'infrastructure', reason: 'cancelled' }, graceMs = CANCEL_GRACE_MS): void {
    if (this.#ended) return;
    this.#stopReason ??= outcome;
    if (this.#report) return; // the build is over: #afterReport ends the job with the stop reason
    const runner = this.#runner;
    if (!runner?.pid) {
      void this.#finish(outcome);
      return;
    }
    this.#signalled = true;
    const pid = runner.pid;
    signalGroup(pid, 'SIGTERM');
    this.#timers.push(setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs));
  }

  async #start(): Promise<void> {
    if (this.#runner || this.#ended) return;
    let file;
    let tokens;
    try {
      file = await layOutJob(this.dir, this.spec, this.ctx.store, this.spec.timeoutS, (hash) => this.ctx.trees.path(hash));
      this.#job = file.job;
      tokens = await joinHostJobserver(file.job, this.dir);
    } catch (err) {
      return this.#finish({ kind: 'infrastructure', reason: `could not lay out the job on the host: ${(err as Error).message}` });
    }
    if (this.#ended) {
      tokens.leave();
      await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
      return;
    }
    this.#tokens = tokens;
    const runner = this.ctx.runners.take();
    this.#runner = runner;
    runner.run({ dir: this.dir, file: { ...file, job: this.#tokens.job } }, {
      line: (line) => this.#onRunnerLine(line),
      stderr: (text) => { this.#runnerErr = (this.#runnerErr + text).slice(-4000); },
      error: (err) => void this.#finish({ kind: 'infrastructure', reason: `could not start the job runner: ${err.message}` }),
      exit: (code, signal) => {
        if (runner.pid) signalGroup(runner.pid, 'SIGKILL'); // whatever the job left in its group
        void this.#afterRunner(code, signal);
      },
    });
    // A kept runner may report (or the job be cancelled) while the record is written: then the job is over, with no timers to start
    // and its directory perhaps gone, which is no failure of the agent.
    if (runner.pid) await writeRecord(join(this.dir, 'pid'), recordOf(runner.pid)).catch(() => undefined);
    if (this.#ended) return;
    const tick = setInterval(() => void this.#tail(), LOG_POLL_MS);
    this.#timers.push(tick);
    // setTimeout fires at once past 2^31-1 ms (24.8 days): longer limits get no backstop.
    if (this.spec.timeoutS > 0 && (this.spec.timeoutS + TIMEOUT_BACKSTOP_S) * 1000 < 2 ** 31 - 1) {
      this.#timers.push(setTimeout(() => this.cancel({ kind: 'failed', phase: this.#lastPhase, error: 'timeout', phases: [] }, 2000),
        (this.spec.timeoutS + TIMEOUT_BACKSTOP_S) * 1000));
    }
  }

  #onRunnerLine(line: string): void {
    let parsed: RunnerLine;
    try {
      parsed = JSON.parse(line) as RunnerLine;
    } catch {
      return;
    }
    if (parsed.t === 'phase' && typeof parsed.phase === 'string') {
      this.#lastPhase = parsed.phase;
      void this.#tail();
      void this.ctx.writer.send({ t: 'phase', id: this.id, phase: parsed.phase.slice(0, 1000) });
    } else if (parsed.t === 'alive') {
      void this.ctx.writer.send({ t: 'alive', id: this.id });
    } else if (parsed.t === 'report' && this.#report === undefined) {
      this.#report = parsed.report;
      this.#releaseRunner();
      void this.#afterReport(parsed.report);
    }
  }

  /** Sends what the whole log gained since last time; one read at a time, the log kept open (the builder appends to it). */
  #tail(): Promise<void> {
    this.#tailing = this.#tailing.then(async () => {
      const job = this.#job;
      if (!job || this.#ended) return;
      this.#log ??= open(job.logFile, 'r').catch(() => undefined);
      const file = await this.#log;
      if (!file) {
        this.#log = undefined;
        return;
      }
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, CHUNK, this.#logOffset);
        if (bytesRead === 0) break;
        this.#logOffset += bytesRead;
        await this.ctx.writer.send({ t: 'log', id: this.id }, Buffer.from(buffer.subarray(0, bytesRead)));
      }
    });
    return this.#tailing;
  }

  /** Closes the log once the last read of it is done. */
  #closeLog(): void {
    void this.#tailing.then(async () => {
      const file = await this.#log;
      this.#log = undefined;
      await file?.close();
    }).catch(() => undefined);
  }

  /** The runner ended; one that reported has its job ended by #afterReport. */
  async #afterRunner(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.#report) return;
    await this.#tail();
    if (this.#stopReason) return this.#finish(this.#stopReason);
    return this.#finish({ kind: 'infrastructure', reason: `the job runner ended (${code ?? signal ?? '?'}) without a report: ${this.#runnerErr.slice(-2000).trim()}` });
  }

  /**
   * The runner reported: its builder is done (every sandbox of the job
   * ended, the log closed, the package written), so the log's rest, the
   * package and the end go back now, and the runner goes back to the pool
   * for the next job. The package is hashed as it is sent, then kept in the
   * cache (a later job here may need it) before the end is said.
   */
  async #afterReport(report: BuildReport): Promise<void> {
    const note = this.#tokens?.leave();
    if (note !== undefined && this.#job) await appendNote(this.#job.logFile, note, this.#logOffset).catch(() => undefined);
    await this.#tail();
    if (this.#stopReason) return this.#finish(this.#stopReason);
    if (report.outcome.kind !== 'built') return this.#finish(report.outcome);
    const job = this.#job;
    const file = report.packageFile;
    if (!job || file === undefined || dirname(resolve(file)) !== resolve(job.packageDir)) {
      return this.#finish({ kind: 'infrastructure', reason: `the builder reported no package in ${job?.packageDir ?? 'packageDir'}` });
    }
    try {
      const hash = createHash('sha256');
      const size = await this.#sendFile('package', `${this.spec.pkgname}.tgz`, file, hash);
      const kept = { hash: hash.digest('hex'), size };
      await this.ctx.store.adopt(file, kept.hash);
      return await this.#finish(report.outcome, kept);
    } catch (err) {
      return this.#finish({ kind: 'infrastructure', reason: `could not send the package back: ${(err as Error).message}` });
    }
  }

  /** Sends a file the job made (never through a link), `hash` fed on the way; its size. */
  async #sendFile(kind: 'package' | 'log', name: string, path: string, hash?: Hash): Promise<number> {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let size = 0;
    for await (const chunk of handle.createReadStream({ highWaterMark: CHUNK })) {
      hash?.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      await this.ctx.writer.send({ t: 'file', id: this.id, kind, name, end: false }, chunk as Buffer);
    }
    await this.ctx.writer.send({ t: 'file', id: this.id, kind, name, end: true }, Buffer.alloc(0));
    return size;
  }

  /** The job is done with its runner: back to the pool when it reported and was never signalled. */
  #releaseRunner(): void {
    const runner = this.#runner;
    this.#runner = undefined;
    if (runner) this.ctx.runners.release(runner, this.#report !== undefined && !this.#signalled);
  }

  async #finish(outcome: JobOutcome, pkg?: { hash: string; size: number }): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#tokens?.leave();
    this.#releaseRunner();
    this.#closeLog();
    for (const t of this.#timers) clearTimeout(t);
    const logDir = this.#job?.logDir;
    if (logDir !== undefined && outcome.kind !== 'infrastructure') {
      const files = (await readdir(logDir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isFile() && isSafeFileName(d.name));
      await Promise.all(files.map((d) => this.#sendFile('log', d.name, join(logDir, d.name)).catch(() => undefined)));
    }
    const r = outcome.kind === 'infrastructure' ? undefined : this.#report;
    await this.ctx.writer.send({
      t: 'done', id: this.id, outcome, package: pkg ?? null, memoryMiB: measure(r?.memoryMiB), diskMiB: measure(r?.diskMiB),
    });
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.#resolveEnded();
  }

  /** For the agent's own end: kill the job's group now, wait briefly, and remove its directory. */
  async terminate(): Promise<void> {
    const runner = this.#runner?.child;
    this.#runner = undefined;
    this.#ended = true;
    this.#tokens?.leave();
    this.#closeLog();
    for (const t of this.#timers) clearTimeout(t);
    if (runner?.pid && runner.exitCode === null && runner.signalCode === null) {
      const exited = new Promise((r) => runner.once('exit', r));
      signalGroup(runner.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      signalGroup(runner.pid, 'SIGKILL');
    }
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.#resolveEnded();
  }
}

/** A measure from the job runner's report as the protocol carries it: a whole MiB count, or null. */
function measure(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1e12 ? value : null;
}
