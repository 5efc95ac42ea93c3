// The coordinator's end of one remote job: it makes the job's directories
// and its log while the job goes to the host, appends the streamed log to
// `job.logFile` as it comes (the host's JobLog has cut it at the job's log
// cap already; here only a safety limit a little above it holds), moves the
// log's mtime when the host says output was left out, writes the files the
// host sends beside it into `job.logDir`, and the package under a temporary
// name in `job.packageDir`, renamed to `<pkgname>.tgz` only once its hash
// matches what the host said it built, and synced to disk as a package
// built on the coordinator is (the run's record of it must not outlive it).

import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_LOG_CAP } from '../../core/job/log-cap.js';
import { fullIn, type JobOutcome } from '../../core/model.js';
import type { BuildJob, BuildReport } from '../../job/build-job.js';
import type { JobWatcher } from '../executor.js';
import { isSafeFileName } from '../agent/safe-path.js';
import { syncPath } from '../../sandbox/package-write.js';

interface Incoming {
  readonly temp: string;
  readonly final: string;
  readonly file: Promise<FileHandle>;
  readonly hash: Hash;
  size: number;
  ended: boolean;
}

/** At most this many per-phase log files per job. */
const MAX_LOG_FILES = 200;
/** What a host's log may hold beyond the cap: kiln's own lines (phase headers, footers, the cut and left-out lines). */
const LOG_SLACK = 2 ** 20;

export class JobReceiver {
  readonly result: Promise<BuildReport>;
  #resolve: (r: BuildReport) => void = () => undefined;
  /** The job's directories made. */
  #dirs: Promise<unknown> | undefined;
  #log: Promise<FileHandle> | undefined;
  #logBytes = 0;
  /** A safety limit only: a host that sends more than its cut log is not let fill the coordinator's disk. */
  readonly #logLimit: number;
  /** Every write, in arrival order. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #incoming = new Map<string, Incoming>();
  #logFiles = 0;
  #settled = false;
  #heardDone = false;
  bytesReceived = 0;

  constructor(private readonly job: BuildJob, private readonly watcher: JobWatcher) {
    this.#logLimit = (job.logCapBytes ?? DEFAULT_LOG_CAP) + LOG_SLACK;
    this.result = new Promise((r) => { this.#resolve = r; });
  }

  /**
   * Makes the directories and starts an empty whole log, while the job goes
   * to its host: what comes back waits for them, and a failure ends the job.
   */
  prepare(): void {
    const dirs = Promise.all([mkdir(this.job.logDir, { recursive: true }), mkdir(this.job.packageDir, { recursive: true })]);
    const log = dirs.then(() => open(this.job.logFile, 'w'));
    log.catch(() => undefined); // awaited in order below; a failure ends the job there
    this.#dirs = dirs;
    this.#log = log;
    this.#then(async () => { await log; }, this.job.logDir);
  }

  /** Whether the host's last word on the job came. */
  get heardDone(): boolean {
    return this.#heardDone;
  }

  phase(phase: string): void {
    this.watcher.phase(phase);
  }

  /** The host's log cap left output out: the job is alive, and the log's mtime says so to readers of the run directory. */
  alive(): void {
    const log = this.#log;
    if (!log || this.#settled) return;
    this.#then(async () => {
      const now = new Date();
      await (await log).utimes(now, now);
      this.watcher.alive?.();
    });
  }

  appendLog(bytes: Buffer): void {
    const log = this.#log;
    if (!log || this.#settled) return;
    this.bytesReceived += bytes.length;
    const keep = Math.max(0, Math.min(bytes.length, this.#logLimit - this.#logBytes));
    if (keep === 0) return;
    this.#logBytes += keep;
    const logBytes = this.#logBytes;
    this.#then(async () => {
      await (await log).write(keep === bytes.length ? bytes : bytes.subarray(0, keep));
      this.watcher.log(logBytes);
    });
  }

  fileChunk(kind: 'package' | 'log', name: string, body: Buffer, end: boolean): void {
    if (this.#settled) return;
    this.bytesReceived += body.length;
    const key = `${kind}/${name}`;
    let incoming = this.#incoming.get(key);
    if (!incoming) {
      if (kind === 'log' && (!isSafeFileName(name) || ++this.#logFiles > MAX_LOG_FILES)) return;
      const final = kind === 'package' ? join(this.job.packageDir, `${this.job.pkgname}.tgz`) : join(this.job.logDir, name);
      const temp = join(kind === 'package' ? this.job.packageDir : this.job.logDir, `.${kind}-${randomBytes(6).toString('hex')}.kiln-part`);
      const file = (this.#dirs ?? Promise.resolve()).then(() => open(temp, 'wx'));
      file.catch(() => undefined); // awaited in order below; a failure ends the job there
      incoming = { temp, final, file, hash: createHash('sha256'), size: 0, ended: false };
      this.#incoming.set(key, incoming);
    }
    const current = incoming;
    if (current.ended) return;
    current.hash.update(body);
    current.size += body.length;
    current.ended = end;
    this.#then(async () => {
      const file = await current.file;
      if (body.length > 0) await file.write(body);
      if (end) {
        if (kind === 'package') await file.sync(); // on disk before it is named: as a package built here is
        await file.close();
        if (kind === 'log') await rename(current.temp, current.final);
      }
    }, kind === 'package' ? this.job.packageDir : this.job.logDir);
  }

  /** The host's last word on the job. */
  done(outcome: JobOutcome, pkg: { hash: string; size: number } | null, measured: Pick<BuildReport, 'memoryMiB' | 'diskMiB'> = {}): void {
    this.#heardDone = true;
    this.#then(async () => {
      if (outcome.kind !== 'built') return this.#finish({ outcome, ...measured });
      const incoming = this.#incoming.get(`package/${this.job.pkgname}.tgz`);
      if (!incoming?.ended || !pkg) return this.#finish({ outcome: { kind: 'infrastructure', reason: 'the host said built but sent no package' } });
      const got = incoming.hash.digest('hex');
      if (got !== pkg.hash || incoming.size !== pkg.size) {
        return this.#finish({ outcome: { kind: 'infrastructure', reason: `the package arrived damaged (sha256 ${got.slice(0, 12)}, host said ${pkg.hash.slice(0, 12)})` } });
      }
      await rename(incoming.temp, incoming.final);
      this.#incoming.delete(`package/${this.job.pkgname}.tgz`);
      await syncPath(this.job.packageDir);
      return this.#finish({ outcome, packageFile: incoming.final, ...measured });
    }, this.job.packageDir);
  }

  /** The job ends without its host's word (host lost, cancelled, executor closed). */
  abort(reason: string): void {
    this.#then(() => this.#finish({ outcome: { kind: 'infrastructure', reason } }));
  }

  /** Runs `step` after the steps before it; a failure ends the job (one that ran out of space writing `dir` waits for space). */
  #then(step: () => Promise<void>, dir?: string): void {
    this.#chain = this.#chain.then(step).catch((err: unknown) => this.#finish({
      outcome: { kind: 'infrastructure', reason: `cannot write the job's output on the coordinator: ${(err as Error).message}`, ...(dir !== undefined && fullIn(err, dir)) },
    }));
  }

  async #finish(report: BuildReport): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    for (const incoming of this.#incoming.values()) {
      await (await incoming.file.catch(() => undefined))?.close().catch(() => undefined);
      await rm(incoming.temp, { force: true });
    }
    this.#incoming.clear();
    // Every write to the log has ended (they come before this in the chain): closing it is no part of the result.
    void this.#log?.then((log) => log.close()).catch(() => undefined);
    this.#resolve(report);
  }
}
