// The session with one build host: its channel (ssh's ControlMaster, or
// Slurm's srun), the agent on it, the handshake (hello, the host's facts and their check, STARTUP,
// then what the tree kind needs there), and the routing of every message
// the agent sends: answers to the handshake's questions, blob requests, each
// job's and scan's news to its receiver, the host's load. A lost session
// tells the `onLost` listeners and ends every running job and scan; the
// session may connect again later, and the new agent ends whatever the old
// one left (the owner stays the same).

import { randomBytes } from 'node:crypto';
import type { AgentChannel } from '../agent-channel.js';
import type { ConnectResult, HostInfo } from '../executor.js';
import type { HostLoad } from '../../core/engine/engine-events.js';
import type { SshExecutorOptions } from './ssh-executor-options.js';
import { PROTOCOL, type Down, type Up } from '../agent/protocol.js';
import { loadAgentBundle } from './agent-bundle.js';
import { AgentLink, type LinkTimers } from './agent-link.js';
import { BlobSender } from './blob-sender.js';
import { FileHasher } from './file-hasher.js';
import { checkHost } from './host-check.js';
import type { JobReceiver } from './job-receiver.js';

/** How a scan on the host ended: the agent's answer, or the host was lost before it came. */
export type RemoteScanOutcome =
  | Extract<Up, { t: 'scanned' }>['result']
  | { readonly kind: 'lost'; readonly reason: string };

/** The agent's answers to a question about a file sent to it (STARTUP, the kit, the tree). */
export type HostAnswer = 'startup-done' | 'kit-checked' | 'tree-ready';

/** What a tree kind makes ready on the host at the end of the handshake: why it cannot, or undefined. */
export type HostPreparation = (session: HostSession, signal: AbortSignal) => Promise<string | undefined>;

type Waiter = { readonly t: 'facts' | HostAnswer; readonly resolve: (m: Up | undefined) => void };

export class HostSession {
  readonly host: string;
  readonly hasher = new FileHasher();
  readonly blobs = new BlobSender();
  /** The running jobs and scans by id: where the agent's messages about them go. */
  readonly jobs = new Map<number, JobReceiver>();
  readonly scans = new Map<number, (outcome: RemoteScanOutcome) => void>();
  /** Times the agent bundle itself was sent. */
  agentsSent = 0;
  readonly #o: SshExecutorOptions;
  readonly #channel: AgentChannel;
  readonly #prepare: HostPreparation | undefined;
  /** Stays the same across reconnects: a new agent ends what an old one of ours left. */
  readonly #owner = randomBytes(12).toString('hex');
  readonly #lost: Array<(reason: string) => void> = [];
  readonly #load: Array<(load: HostLoad) => void> = [];
  readonly #waiters: Waiter[] = [];
  #link: AgentLink | undefined;
  #info: HostInfo | undefined;
  #connecting: Promise<ConnectResult> | undefined;
  #nextId = 1;

  constructor(host: string, options: SshExecutorOptions, channel: AgentChannel, prepare?: HostPreparation) {
    this.host = host;
    this.#o = options;
    this.#channel = channel;
    this.#prepare = prepare;
  }

  /** The agent's link while the session lasts. */
  get link(): AgentLink | undefined {
    return this.#link;
  }

  /** What the host said of itself, once the handshake is through. */
  get info(): HostInfo | undefined {
    return this.#info;
  }

  /** A new id for a job or a scan. */
  nextId(): number {
    return this.#nextId++;
  }

  onLost(listener: (reason: string) => void): void {
    this.#lost.push(listener);
  }

  onLoad(listener: (load: HostLoad) => void): void {
    this.#load.push(listener);
  }

  get #timers(): LinkTimers {
    return { pingEveryMs: 1000, silenceMs: (this.#o.agentSilenceS ?? 20) * 1000, handshakeMs: this.#channel.startWithinMs };
  }

  connect(signal: AbortSignal): Promise<ConnectResult> {
    if (this.#link && this.#info) return Promise.resolve({ ok: true, info: this.#info });
    // One connect at a time: a second caller gets the first one's answer.
    this.#connecting ??= this.#connect(signal).finally(() => { this.#connecting = undefined; });
    return this.#connecting;
  }

  async #connect(signal: AbortSignal): Promise<ConnectResult> {
    let bundle;
    try {
      bundle = await loadAgentBundle(this.#o.agentBundle);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    const channel = await this.#channel.open(signal);
    if (!channel.ok) return channel;
    const opened = await AgentLink.open(this.#channel, bundle, {
      ...(this.#o.remoteDir !== undefined && { dir: this.#o.remoteDir }), ...(this.#o.remoteSubdir !== undefined && { sub: this.#o.remoteSubdir }),
    }, this.#timers, signal);
    if (!opened.ok) return { ok: false, reason: `${this.host}: ${opened.reason}${parenthesized(await this.#channel.ended())}` };
    if (opened.agentSent) this.agentsSent++;
    const link = opened.link;
    this.#link = link;
    link.attach((m, body) => this.#onMessage(m, body), (reason) => void this.#onClosed(link, reason), this.#timers);
    const refuse = async (reason: string): Promise<ConnectResult> => {
      this.#link = undefined;
      await link.bye();
      await this.#channel.close();
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
    if (this.#prepare !== undefined) {
      const problem = await this.#prepare(this, signal);
      if (problem) return refuse(problem);
    }
    this.#info = checked.info;
    return checked;
  }

  async close(): Promise<void> {
    const link = this.#link;
    this.#link = undefined;
    this.#info = undefined;
    for (const receiver of this.jobs.values()) receiver.abort(`the executor for ${this.host} was closed`);
    for (const end of [...this.scans.values()]) end({ kind: 'lost', reason: `the executor for ${this.host} was closed` });
    if (link) await link.bye();
    await this.#channel.close();
  }

  /** The local ssh processes behind this host (for diagnostics and fault-injection tests). */
  async sshPids(): Promise<{ readonly master?: number; readonly session?: number }> {
    const master = await this.#channel.masterPid?.();
    const session = this.#link?.pid;
    return { ...(master === undefined ? {} : { master }), ...(session === undefined ? {} : { session }) };
  }

  #requirements(): Parameters<typeof checkHost>[1] {
    return {
      protocol: PROTOCOL,
      minDiskFreeMiB: this.#o.minDiskFreeMiB ?? 1024,
      requireBwrap: this.#o.requireBwrap ?? true,
      ...(this.#o.arch === undefined ? {} : { arch: this.#o.arch }),
      ...(this.#o.buildArch === undefined ? {} : { buildArch: this.#o.buildArch }),
    };
  }

  /** dpb's STARTUP: the script goes to the host and must succeed there. */
  #runStartup(script: string, signal: AbortSignal): Promise<string | undefined> {
    const timeoutS = this.#o.startupTimeoutS ?? 600;
    return this.askAbout(script, 'the STARTUP script', (hash) => ({ t: 'startup', hash, timeoutS }), 'startup-done', (timeoutS + 30) * 1000, signal);
  }

  /** Offers `file` to the agent, sends the question naming it, and waits for the answer: why not, or undefined. */
  async askAbout(file: string, what: string, question: (hash: string) => Down, answer: HostAnswer,
    timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
    let hash: string;
    try {
      hash = (await this.hasher.hash(file)).hash;
    } catch (err) {
      return `cannot read ${what} ${file}: ${(err as Error).message}`;
    }
    this.blobs.offer(hash, file);
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
        if (this.#link) void this.blobs.sendAll(this.#link, m.hashes);
        return;
      case 'phase':
        this.jobs.get(m.id)?.phase(m.phase);
        return;
      case 'alive': this.jobs.get(m.id)?.alive(); return;
      case 'log':
        this.jobs.get(m.id)?.appendLog(body);
        return;
      case 'file':
        this.jobs.get(m.id)?.fileChunk(m.kind, m.name, body, m.end);
        return;
      case 'done':
        this.jobs.get(m.id)?.done(m.outcome, m.package, {
          ...(m.memoryMiB !== null && { memoryMiB: m.memoryMiB }), ...(m.diskMiB !== null && { diskMiB: m.diskMiB }),
        });
        return;
      case 'scanned':
        this.scans.get(m.id)?.(m.result);
        return;
      case 'load': {
        const load: HostLoad = {
          loadPerCore: m.loadPerCore, swapUsed: m.swapUsed, memoryFreeMiB: m.memoryFreeMiB,
          ...(m.cpuPressure !== null && { cpuPressure: m.cpuPressure }), ...(m.ioPressure !== null && { ioPressure: m.ioPressure }),
          ...(m.memoryPressure !== null && { memoryPressure: m.memoryPressure }),
          ...(m.diskFreeMiB !== null && { diskFreeMiB: m.diskFreeMiB }),
        };
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
    const full = `host ${this.host} lost: ${reason}${parenthesized(await this.#channel.ended())}`;
    for (const w of [...this.#waiters]) w.resolve(undefined);
    for (const listener of wasUp ? this.#lost : []) {
      try { listener(full); } catch { /* a listener's failure is not ours to handle */ }
    }
    for (const receiver of this.jobs.values()) receiver.abort(full);
    for (const end of [...this.scans.values()]) end({ kind: 'lost', reason: full });
  }
}

function parenthesized(detail: string): string {
  return detail === '' ? '' : ` (${detail})`;
}
