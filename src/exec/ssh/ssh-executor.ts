// An Executor for a host reached with the system's OpenSSH: one ControlMaster
// connection, one agent session on it (host-session.ts). The port's files
// and the dependency packages go to the host by content hash, once per host;
// the log streams back as the job runs; the package comes back and is checked
// against its hash. A failed connection fires `onLost` and ends every running
// job as `infrastructure`; `connect` may be called again later. What the
// tree's kind needs of the host is behind tree-host.ts (pkgsrc: pkgsrc-host.ts).

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildJob, BuildReport } from '../../job/build-job.js';
import type { ConnectResult, Executor, JobWatcher } from '../executor.js';
import type { HostEntry, HostsFile } from '../hosts-file.js';
import type { HostLoad } from '../../core/engine/engine-events.js';
import { DEFAULT_LOG_CAP } from '../../core/job/log-cap.js';
import type { SshExecutorOptions, TransferStats } from './ssh-executor-options.js';
import { jobSpecShape, type PkgsrcPart, type ScanSpec } from '../agent/protocol.js';
import { isSafeFileName } from '../agent/safe-path.js';
import type { AgentChannel, Placement } from '../agent-channel.js';
import { HostSession, type RemoteScanOutcome } from './host-session.js';
import { SshChannel } from './ssh-channel.js';
import { JobReceiver } from './job-receiver.js';
import { jobBlobs } from './job-blobs.js';
import { portManifest } from './port-manifest.js';
import { isSafeDestination } from './ssh-args.js';
import type { TreeHost } from './tree-host.js';
import { withFarm } from '../distcc-farm.js';

export type { RemoteScanOutcome, SshExecutorOptions, TransferStats };

export class SshExecutor implements Executor {
  readonly host: string;
  readonly onDemand: Executor['onDemand'];
  readonly #session: HostSession;
  readonly #channel: AgentChannel;
  readonly #tree: TreeHost | undefined;
  readonly #distcc: SshExecutorOptions['distcc'];
  #bytesReceived = 0;

  /** `channel`: how the agent is reached; ssh to `options.destination` when not given. */
  constructor(options: SshExecutorOptions, channel?: AgentChannel) {
    if (channel === undefined && !isSafeDestination(options.destination)) throw new Error(`not an ssh destination: ${JSON.stringify(options.destination)}`);
    this.host = options.name ?? options.destination;
    this.onDemand = options.onDemand;
    const tree = options.treeHost?.();
    this.#tree = tree;
    this.#distcc = options.distcc;
    this.#channel = channel ?? new SshChannel(options);
    this.#session = new HostSession(this.host, options, this.#channel, tree && ((session, signal) => tree.prepare(session, signal)));
  }

  placement(): Promise<Placement | undefined> {
    return this.#channel.placement?.() ?? Promise.resolve(undefined);
  }

  /** An executor for one host of a hosts file; `extra` adds what the file does not say (`-F`, timers). */
  static fromHostEntry(entry: HostEntry, file: HostsFile, extra: Partial<SshExecutorOptions> = {}): SshExecutor {
    return new SshExecutor({
      destination: entry.name,
      ...(entry.connectTimeoutS === undefined ? {} : { connectTimeoutS: entry.connectTimeoutS }),
      ...entryOptions(entry, file),
      ...extra,
    });
  }

  connect(signal: AbortSignal): Promise<ConnectResult> {
    return this.#session.connect(signal);
  }

  async run(given: BuildJob, watcher: JobWatcher, signal: AbortSignal): Promise<BuildReport> {
    const job = withFarm(given, this.#distcc);
    const session = this.#session;
    const { link, hasher, blobs: blobSender, jobs } = session;
    if (!link || !session.info) return infrastructure(`host ${this.host} is not connected`);
    if (!isSafeFileName(`${job.pkgname}.tgz`)) return portFault(job, `bad pkgname ${JSON.stringify(job.pkgname)}`);
    const manifest = await portManifest(job.tree, job.pkgpath, hasher);
    if (!manifest.ok) return portFault(job, manifest.reason);
    const blobs = await jobBlobs(job, hasher, (hash, file) => blobSender.offer(hash, file));
    if (!blobs.ok) return infrastructure(blobs.reason);
    const { dependencies, distfiles } = blobs;
    for (const [hash, path] of manifest.files) blobSender.offer(hash, path);
    let pkgsrc: PkgsrcPart | null = null;
    const part = await this.#tree?.jobPart(job, hasher);
    if (part !== undefined) {
      if (!part.ok) return infrastructure(part.reason);
      for (const [hash, path] of part.files) blobSender.offer(hash, path);
      pkgsrc = part.part;
    }
    if (session.link !== link) return infrastructure(`host ${this.host} was lost`);
    const receiver = new JobReceiver(job, watcher);
    const id = session.nextId();
    jobs.set(id, receiver);
    const { pkgname, pkgpath, metadata } = job;
    const spec = jobSpecShape({
      pkgname, pkgpath, metadata: { ...metadata, inputs: metadata.inputs ?? '' }, port: manifest.entries, dependencies, distfiles, pkgsrc,
      makeJobs: Math.min(4096, Math.max(1, Math.floor(job.makeJobs))),
      jobserver: job.jobserver ?? null,
      distcc: job.distcc ?? [],
      timeoutS: Number.isFinite(job.timeoutS) ? Math.min(1e9, Math.max(0, job.timeoutS)) : 1e9, // JSON has no Infinity
      logCapBytes: job.logCapBytes ?? DEFAULT_LOG_CAP,
    }, 'job');
    if (!spec.ok) {
      jobs.delete(id);
      receiver.abort(`the job cannot be sent to ${this.host}: ${spec.reason}`);
      return receiver.result;
    }
    void link.send({ t: 'job', id, job: spec.value });
    receiver.prepare();
    const onAbort = (): void => {
      void link.send({ t: 'cancel', id });
      // The agent answers within its grace period; if it cannot, do not wait for it.
      setTimeout(() => receiver.abort('cancelled'), 15_000).unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await receiver.result;
    } finally {
      signal.removeEventListener('abort', onAbort);
      jobs.delete(id);
      // Ended here (its output could not be written): the host stops building it.
      if (!receiver.heardDone && !signal.aborted) void link.send({ t: 'cancel', id });
      this.#bytesReceived += receiver.bytesReceived;
    }
  }

  /** The scan of `pkgpath` in the tree made ready on the host (pkgsrc); undefined: scan with the port's files shipped. */
  treeScan(pkgpath: string, timeoutS: number): Promise<ScanSpec | undefined> {
    return this.#tree?.scanSpec(pkgpath, timeoutS, this.#session.hasher) ?? Promise.resolve(undefined);
  }

  onLost(listener: (reason: string) => void): void {
    this.#session.onLost(listener);
  }

  onLoad(listener: (load: HostLoad) => void): void {
    this.#session.onLoad(listener);
  }

  /**
   * Scans one port on the host (the agent's remote-scan.ts). `sources` gives
   * the file on the coordinator behind each hash the spec names.
   */
  scan(spec: ScanSpec, sources: ReadonlyMap<string, string>, signal: AbortSignal): Promise<RemoteScanOutcome> {
    const session = this.#session;
    const { link, scans } = session;
    if (!link || !session.info) return Promise.resolve({ kind: 'lost', reason: `host ${this.host} is not connected` });
    for (const [hash, path] of sources) session.blobs.offer(hash, path);
    const id = session.nextId();
    return new Promise((resolve) => {
      const onAbort = (): void => void link.send({ t: 'cancel', id });
      scans.set(id, (outcome) => {
        scans.delete(id);
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      });
      signal.addEventListener('abort', onAbort, { once: true });
      void link.send({ t: 'scan', id, scan: spec });
    });
  }

  close(): Promise<void> {
    return this.#session.close();
  }

  stats(): TransferStats {
    const { agentsSent, blobs } = this.#session;
    return { agentsSent, bytesReceived: this.#bytesReceived, filesSent: blobs.filesSent, bytesSent: blobs.bytesSent };
  }

  /** The local ssh processes behind this host (for diagnostics and fault-injection tests). */
  sshPids(): Promise<{ readonly master?: number; readonly session?: number }> {
    return this.#session.sshPids();
  }
}

function infrastructure(reason: string): BuildReport {
  return { outcome: { kind: 'infrastructure', reason } };
}

/** The port's files cannot go to a host (a FIFO, a name that is not UTF-8): its fault, in phase `transfer`, with a log saying why. */
async function portFault(job: BuildJob, reason: string): Promise<BuildReport> {
  const line = `kiln: the port's files cannot be sent to a build host: ${reason}\n`;
  try {
    await mkdir(job.logDir, { recursive: true });
    await writeFile(join(job.logDir, 'transfer.log'), line);
    await writeFile(job.logFile, line);
  } catch (err) {
    return infrastructure(`cannot write the job's log on the coordinator: ${(err as Error).message}`);
  }
  return { outcome: { kind: 'failed', phase: 'transfer', error: reason, phases: [] } };
}

/** What a hosts-file line says of any host reached through the agent, over ssh or a Slurm allocation alike. */
export function entryOptions(entry: HostEntry, file: HostsFile): Partial<SshExecutorOptions> {
  return {
    ...(entry.arch === undefined ? {} : { arch: entry.arch }),
    ...(entry.dir === undefined ? {} : { remoteDir: entry.dir }),
    ...(file.startup === undefined ? {} : { startup: file.startup }),
    ...(entry.distcc === undefined ? {} : { distcc: entry.distcc }),
  };
}
