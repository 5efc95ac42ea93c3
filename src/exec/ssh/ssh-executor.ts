// An Executor for a host reached with the system's OpenSSH: one ControlMaster
// connection, one agent session on it (JSON frames over stdin/stdout). The
// port's files and the dependency packages go to the host by content hash,
// once per host; the log streams back as the job runs; the package comes
// back and is checked against its hash. A failed connection fires `onLost`
// and ends every running job as `infrastructure`; `connect` may be called
// again later, and the new agent ends whatever the old session left.

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildJob, BuildReport } from '../../sandbox/build-job.js';
import type { ConnectResult, Executor, HostInfo, JobWatcher } from '../executor.js';
import type { HostEntry, HostsFile } from '../hosts-file.js';
import type { HostLoad } from '../../core/engine-events.js';
import { fullIn } from '../../core/model.js';
import type { PkgsrcSetup } from '../../sandbox/recipe-pkgsrc.js';
import type { SshExecutorOptions, TransferStats } from './ssh-executor-options.js';
import type { TreeSnapshot } from './tree-snapshot.js';
import { PROTOCOL, jobSpecShape, type Down, type PkgsrcPart, type ScanSpec, type Up } from '../agent/protocol.js';
import { isSafeFileName } from '../agent/safe-path.js';
import { loadAgentBundle } from './agent-bundle.js';
import { AgentLink, type LinkTimers } from './agent-link.js';
import { ensureMaster, lastLines, masterPid, stopMaster } from './control-master.js';
import { BlobSender } from './blob-sender.js';
import { FileHasher } from './file-hasher.js';
import { checkHost } from './host-check.js';
import { JobReceiver } from './job-receiver.js';
import { jobBlobs } from './job-blobs.js';
import { pkgsrcJobPart } from './pkgsrc-job-files.js';
import { portManifest } from './port-manifest.js';
import { isSafeDestination, settingsFor, type SshSettings } from './ssh-args.js';

/** A whole pkgsrc tree may take a while the first time (250 MiB for pkgsrc-2017Q4). */
const TREE_READY_MS = 4 * 3600 * 1000;

type Waiter = { readonly t: 'facts' | 'startup-done' | 'kit-checked' | 'tree-ready'; readonly resolve: (m: Up | undefined) => void };

/** How a scan on the host ended: the agent's answer, or the host was lost before it came. */
export type RemoteScanOutcome =
  | Extract<Up, { t: 'scanned' }>['result']
  | { readonly kind: 'lost'; readonly reason: string };

export type { SshExecutorOptions, TransferStats };

export class SshExecutor implements Executor {
  readonly host: string;
  readonly #o: SshExecutorOptions;
  /** Stays the same across reconnects: a new agent ends what an old one of ours left. */
  readonly #owner = randomBytes(12).toString('hex');
  readonly #hasher = new FileHasher();
  readonly #lost: Array<(reason: string) => void> = [];
  readonly #jobs = new Map<number, JobReceiver>();
  readonly #blobs = new BlobSender();
  readonly #waiters: Waiter[] = [];
  readonly #scans = new Map<number, (outcome: RemoteScanOutcome) => void>();
  readonly #load: Array<(load: HostLoad) => void> = [];
  #settings: SshSettings | undefined;
  #controlDir: string | undefined;
  #link: AgentLink | undefined;
  #info: HostInfo | undefined;
  #connecting: Promise<ConnectResult> | undefined;
  #nextJob = 1;
  /** The hash of the tree made ready on the host (pkgsrc). */
  #tree: string | undefined;
  #stats = { agentsSent: 0, bytesReceived: 0 };

  constructor(options: SshExecutorOptions) {
    if (!isSafeDestination(options.destination)) throw new Error(`not an ssh destination: ${JSON.stringify(options.destination)}`);
    this.#o = options;
    this.host = options.name ?? options.destination;
  }

  /** An executor for one host of a hosts file; `extra` adds what the file does not say (`-F`, timers). */
  static fromHostEntry(entry: HostEntry, file: HostsFile, extra: Partial<SshExecutorOptions> = {}): SshExecutor {
    return new SshExecutor({
      destination: entry.name,
      ...(entry.connectTimeoutS === undefined ? {} : { connectTimeoutS: entry.connectTimeoutS }),
      ...(entry.arch === undefined ? {} : { arch: entry.arch }),
      ...(entry.dir === undefined ? {} : { remoteDir: entry.dir }),
      ...(file.startup === undefined ? {} : { startup: file.startup }),
      ...extra,
    });
  }

  get #timers(): LinkTimers {
    return { pingEveryMs: 1000, silenceMs: (this.#o.agentSilenceS ?? 20) * 1000, handshakeMs: 60_000 };
  }

  connect(signal: AbortSignal): Promise<ConnectResult> {
    if (this.#link && this.#info) return Promise.resolve({ ok: true, info: this.#info });
    // One connect at a time: a second caller gets the first one's answer.
    this.#connecting ??= this.#connect(signal).finally(() => { this.#connecting = undefined; });
    return this.#connecting;
  }

  async #connect(signal: AbortSignal): Promise<ConnectResult> {
    const settings = await this.#ensureSettings();
    let bundle;
    try {
      bundle = await loadAgentBundle(this.#o.agentBundle);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    const master = await ensureMaster(settings, signal);
    if (!master.ok) return master;
    const opened = await AgentLink.open(settings, bundle, this.#o.remoteDir, this.#timers, signal);
    if (!opened.ok) return { ok: false, reason: `${this.host}: ${opened.reason}` };
    if (opened.agentSent) this.#stats.agentsSent++;
    const link = opened.link;
    this.#link = link;
    link.attach((m, body) => this.#onMessage(m, body), (reason) => void this.#onClosed(link, reason), this.#timers);
    const refuse = async (reason: string): Promise<ConnectResult> => {
      this.#link = undefined;
      await link.bye();
      await stopMaster(settings);
      return { ok: false, reason: `${this.host}: ${reason}` };
    };
    void link.send({ t: 'hello', protocol: PROTOCOL, owner: this.#owner, idleTimeoutS: this.#o.agentIdleTimeoutS ?? 20 });
    const facts = await this.#waitFor('facts', 60_000, signal);
    if (facts?.t !== 'facts') return refuse(signal.aborted ? 'cancelled' : 'the agent did not describe the host');
    const checked = checkHost(facts.facts, this.#requirements());
    if (!checked.ok) return refuse(checked.reason);
    if (this.#o.startup !== undefined) {
      const problem = await this.#runStartup(this.#o.startup, signal);
      if (problem) return refuse(problem);
    }
    if (this.#o.pkgsrc !== undefined) {
      const problem = await this.#checkKit(this.#o.pkgsrc.setup, signal) ?? await this.#shareTree(this.#o.pkgsrc.tree, signal);
      if (problem) return refuse(problem);
    }
    this.#info = checked.info;
    return checked;
  }

  async run(job: BuildJob, watcher: JobWatcher, signal: AbortSignal): Promise<BuildReport> {
    const link = this.#link;
    if (!link || !this.#info) return infrastructure(`host ${this.host} is not connected`);
    if (!isSafeFileName(`${job.pkgname}.tgz`)) return portFault(job, `bad pkgname ${JSON.stringify(job.pkgname)}`);
    const manifest = await portManifest(job.tree, job.pkgpath, this.#hasher);
    if (!manifest.ok) return portFault(job, manifest.reason);
    const blobs = await jobBlobs(job, this.#hasher, (hash, file) => this.#blobs.offer(hash, file));
    if (!blobs.ok) return infrastructure(blobs.reason);
    const { dependencies, distfiles } = blobs;
    for (const [hash, path] of manifest.files) this.#blobs.offer(hash, path);
    let pkgsrc: PkgsrcPart | null = null;
    if (this.#o.pkgsrc !== undefined && this.#tree !== undefined) {
      const part = await pkgsrcJobPart(this.#o.pkgsrc.setup, this.#tree, job, this.#hasher);
      if (!part.ok) return infrastructure(part.reason);
      for (const [hash, path] of part.files) this.#blobs.offer(hash, path);
      pkgsrc = part.part;
    }
    const receiver = new JobReceiver(job, watcher);
    try {
      await receiver.prepare();
    } catch (err) {
      return { outcome: { kind: 'infrastructure', reason: `cannot write the job's output on the coordinator: ${(err as Error).message}`, ...fullIn(err, (err as NodeJS.ErrnoException).path ?? job.logDir) } };
    }
    if (this.#link !== link) return infrastructure(`host ${this.host} was lost`);
    const id = this.#nextJob++;
    this.#jobs.set(id, receiver);
    const { pkgname, pkgpath, metadata } = job;
    const spec = jobSpecShape({
      pkgname, pkgpath, metadata: { ...metadata, inputs: metadata.inputs ?? '' }, port: manifest.entries, dependencies, distfiles, pkgsrc,
      makeJobs: Math.min(4096, Math.max(1, Math.floor(job.makeJobs))),
      timeoutS: Number.isFinite(job.timeoutS) ? Math.min(1e9, Math.max(0, job.timeoutS)) : 1e9, // JSON has no Infinity
    }, 'job');
    if (!spec.ok) {
      this.#jobs.delete(id);
      receiver.abort(`the job cannot be sent to ${this.host}: ${spec.reason}`);
      return receiver.result;
    }
    void link.send({ t: 'job', id, job: spec.value });
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
      this.#jobs.delete(id);
      this.#stats.bytesReceived += receiver.bytesReceived;
    }
  }

  /** For a pkgsrc tree made ready on the host: the scan of `pkgpath` there. Undefined for a Portfile tree. */
  async pkgsrcScan(pkgpath: string, timeoutS: number): Promise<ScanSpec | undefined> {
    const pkgsrc = this.#o.pkgsrc;
    if (pkgsrc === undefined || this.#tree === undefined) return undefined;
    const kit = await this.#hasher.hash(pkgsrc.setup.kit.file);
    return { kind: 'pkgsrc', pkgpath, tree: this.#tree, kit: { hash: kit.hash, prefix: pkgsrc.setup.kit.prefix }, make: pkgsrc.setup.make, timeoutS };
  }

  onLost(listener: (reason: string) => void): void {
    this.#lost.push(listener);
  }

  onLoad(listener: (load: HostLoad) => void): void {
    this.#load.push(listener);
  }

  /**
   * Scans one port on the host (the agent's remote-scan.ts). `sources` gives
   * the file on the coordinator behind each hash the spec names.
   */
  scan(spec: ScanSpec, sources: ReadonlyMap<string, string>, signal: AbortSignal): Promise<RemoteScanOutcome> {
    const link = this.#link;
    if (!link || !this.#info) return Promise.resolve({ kind: 'lost', reason: `host ${this.host} is not connected` });
    for (const [hash, path] of sources) this.#blobs.offer(hash, path);
    const id = this.#nextJob++;
    return new Promise((resolve) => {
      const onAbort = (): void => void link.send({ t: 'cancel', id });
      this.#scans.set(id, (outcome) => {
        this.#scans.delete(id);
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      });
      signal.addEventListener('abort', onAbort, { once: true });
      void link.send({ t: 'scan', id, scan: spec });
    });
  }

  async close(): Promise<void> {
    const link = this.#link;
    this.#link = undefined;
    this.#info = undefined;
    for (const receiver of this.#jobs.values()) receiver.abort(`the executor for ${this.host} was closed`);
    for (const end of [...this.#scans.values()]) end({ kind: 'lost', reason: `the executor for ${this.host} was closed` });
    if (link) await link.bye();
    if (this.#settings) await stopMaster(this.#settings);
    if (this.#controlDir) await rm(this.#controlDir, { recursive: true, force: true });
    this.#controlDir = undefined;
    this.#settings = undefined;
  }

  stats(): TransferStats {
    return { ...this.#stats, filesSent: this.#blobs.filesSent, bytesSent: this.#blobs.bytesSent };
  }

  /** The local ssh processes behind this host (for diagnostics and fault-injection tests). */
  async sshPids(): Promise<{ readonly master?: number; readonly session?: number }> {
    const master = this.#settings ? await masterPid(this.#settings) : undefined;
    const session = this.#link?.pid;
    return { ...(master === undefined ? {} : { master }), ...(session === undefined ? {} : { session }) };
  }

  async #ensureSettings(): Promise<SshSettings> {
    if (this.#settings) return this.#settings;
    this.#controlDir = await mkdtemp(join(tmpdir(), 'kiln-ssh-')); // mode 0700
    this.#settings = settingsFor(this.#o, this.#controlDir);
    return this.#settings;
  }

  #requirements(): Parameters<typeof checkHost>[1] {
    return {
      protocol: PROTOCOL,
      minDiskFreeMiB: this.#o.minDiskFreeMiB ?? 1024,
      requireBwrap: this.#o.requireBwrap ?? true,
      ...(this.#o.arch === undefined ? {} : { arch: this.#o.arch }),
    };
  }

  /** dpb's STARTUP: the script goes to the host and must succeed there. */
  #runStartup(script: string, signal: AbortSignal): Promise<string | undefined> {
    const timeoutS = this.#o.startupTimeoutS ?? 600;
    return this.#askAbout(script, 'the STARTUP script', (hash) => ({ t: 'startup', hash, timeoutS }), 'startup-done', (timeoutS + 30) * 1000, signal);
  }

  /** The kit goes to the host (once: by content hash) and its make must run there. */
  async #checkKit(setup: PkgsrcSetup, signal: AbortSignal): Promise<string | undefined> {
    const problem = await this.#askAbout(setup.kit.file, 'the bootstrap kit',
      (hash) => ({ t: 'kit-check', hash, prefix: setup.kit.prefix, make: setup.make }), 'kit-checked', 600_000, signal);
    return problem === undefined ? undefined : `the bootstrap kit does not work here: ${problem}`;
  }

  /** The tree goes to the host, each file once, and is laid out there: the tree's revision is the host's. */
  async #shareTree(snapshot: TreeSnapshot, signal: AbortSignal): Promise<string | undefined> {
    let manifest;
    try {
      manifest = await snapshot.manifest();
    } catch (err) {
      return `cannot list the tree ${snapshot.tree}: ${(err as Error).message}`;
    }
    for (const [hash, path] of manifest.sources) this.#blobs.offer(hash, path);
    const problem = await this.#askAbout(manifest.file, 'the tree', (hash) => ({ t: 'tree', hash }), 'tree-ready', TREE_READY_MS, signal);
    if (problem !== undefined) return `the tree cannot be made ready here: ${problem}`;
    this.#tree = manifest.hash;
    return undefined;
  }

  /** Offers `file` to the agent, sends the question naming it, and waits for the answer: why not, or undefined. */
  async #askAbout(file: string, what: string, question: (hash: string) => Down, answer: 'startup-done' | 'kit-checked' | 'tree-ready',
    timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
    let hash: string;
    try {
      hash = (await this.#hasher.hash(file)).hash;
    } catch (err) {
      return `cannot read ${what} ${file}: ${(err as Error).message}`;
    }
    this.#blobs.offer(hash, file);
    void this.#link?.send(question(hash));
    const done = await this.#waitFor(answer, timeoutMs, signal);
    if (done?.t !== answer) return signal.aborted ? 'cancelled' : `${what} did not report`;
    return done.ok ? undefined : done.detail;
  }

  #waitFor(t: Waiter['t'], timeoutMs: number, signal: AbortSignal): Promise<Up | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const onAbort = (): void => finish(undefined);
      const waiter: Waiter = { t, resolve: (m) => finish(m) };
      const finish = (m: Up | undefined): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(m);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #onMessage(m: Up, body: Buffer): void {
    switch (m.t) {
      case 'facts':
      case 'startup-done':
      case 'kit-checked':
      case 'tree-ready':
        this.#waiters.find((w) => w.t === m.t)?.resolve(m);
        return;
      case 'pong':
        return;
      case 'need':
        if (this.#link) void this.#blobs.sendAll(this.#link, m.hashes);
        return;
      case 'phase':
        this.#jobs.get(m.id)?.phase(m.phase);
        return;
      case 'alive': this.#jobs.get(m.id)?.alive(); return;
      case 'log':
        this.#jobs.get(m.id)?.appendLog(body);
        return;
      case 'file':
        this.#jobs.get(m.id)?.fileChunk(m.kind, m.name, body, m.end);
        return;
      case 'done':
        this.#jobs.get(m.id)?.done(m.outcome, m.package);
        return;
      case 'scanned':
        this.#scans.get(m.id)?.(m.result);
        return;
      case 'load': {
        const load: HostLoad = { loadPerCore: m.loadPerCore, swapUsed: m.swapUsed, memoryFreeMiB: m.memoryFreeMiB };
        for (const listener of this.#load) listener(load);
        return;
      }
      case 'send-agent':
      case 'refuse':
      case 'ready':
      case 'fault':
        this.#link?.abandon(`the agent sent ${m.t} in the middle of the session`);
        return;
    }
  }

  async #onClosed(link: AgentLink, reason: string): Promise<void> {
    if (this.#link !== link) return; // closed on purpose, or an old session
    const wasUp = this.#info !== undefined; // a session lost while connecting is connect's failure, not a loss
    this.#link = undefined;
    this.#info = undefined;
    const settings = this.#settings;
    const master = settings ? await lastLines(settings.masterLog, 2) : '';
    const full = `host ${this.host} lost: ${reason}${master ? ` (ssh: ${master})` : ''}`;
    for (const w of [...this.#waiters]) w.resolve(undefined);
    for (const listener of wasUp ? this.#lost : []) {
      try { listener(full); } catch { /* a listener's failure is not ours to handle */ }
    }
    for (const receiver of this.#jobs.values()) receiver.abort(full);
    for (const end of [...this.#scans.values()]) end({ kind: 'lost', reason: full });
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
