// The coordinator's end of the agent session: `node -e <bootstrap>` on the
// host, started through its channel (an ssh session over the host's master,
// or Slurm's srun). It hands the agent bundle over when the host does
// not have it, pings the agent, checks every message, and reports the end of
// the session once, with a reason.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { AgentBundle } from './agent-bundle.js';
import { FrameReader, FrameWriter } from '../agent/frames.js';
import { PROTOCOL, upShape, type Up } from '../agent/protocol.js';
import { type BootConfig, MIN_NODE_MAJOR, remoteCommand } from './bootstrap.js';
import type { AgentChannel } from '../agent-channel.js';

export interface LinkTimers {
  /** Ping the agent this often. */
  readonly pingEveryMs: number;
  /** Declare the agent gone after this long without a byte from it. */
  readonly silenceMs: number;
  /** The whole handshake (and the bundle's transfer) must fit in this. */
  readonly handshakeMs: number;
}

export type OpenResult =
  | { readonly ok: true; readonly link: AgentLink; readonly agentSent: boolean }
  | { readonly ok: false; readonly reason: string };

type Handler = (message: Up, body: Buffer) => void;

export class AgentLink {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #writer: FrameWriter;
  #handler: Handler = () => undefined;
  #onClosed: (reason: string) => void = () => undefined;
  #closed: string | undefined;
  #stderr = '';
  #lastHeard = Date.now();
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    this.#writer = new FrameWriter(child.stdin);
    child.stderr.on('data', (b: Buffer) => { this.#stderr = (this.#stderr + b.toString('utf8')).slice(-8192); });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Starts the agent on the host and waits for it to say it is ready. */
  static open(channel: AgentChannel, bundle: AgentBundle, where: Pick<BootConfig, 'dir' | 'sub'>, timers: LinkTimers, signal: AbortSignal): Promise<OpenResult> {
    const command = remoteCommand({ ...where, hash: bundle.hash, size: bundle.bytes.length });
    const { program, args } = channel.launch(command);
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const link = new AgentLink(child);
    return new Promise<OpenResult>((resolve) => {
      let agentSent = false;
      let settled = false;
      const settle = (r: OpenResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
        if (!r.ok) link.#kill();
        resolve(r);
      };
      const onAbort = (): void => settle({ ok: false, reason: 'cancelled' });
      signal.addEventListener('abort', onAbort);
      const deadline = setTimeout(() => settle({ ok: false, reason: `the agent did not start within ${timers.handshakeMs / 1000} s` }), timers.handshakeMs);
      link.#handler = (m) => {
        if (m.t === 'send-agent') {
          agentSent = true;
          child.stdin.write(bundle.bytes);
        } else if (m.t === 'refuse') {
          settle({ ok: false, reason: m.reason });
        } else if (m.t === 'ready') {
          settle(m.protocol === PROTOCOL ? { ok: true, link, agentSent } : { ok: false, reason: `the agent speaks protocol ${m.protocol}, kiln ${PROTOCOL}` });
        } else {
          settle({ ok: false, reason: `the agent sent ${m.t} before it was ready` });
        }
      };
      link.#onClosed = (reason) => settle({ ok: false, reason });
      link.#listen();
    });
  }

  /** From now on, messages go to `handler`, and the end of the session to `onClosed` (once). */
  attach(handler: Handler, onClosed: (reason: string) => void, timers: LinkTimers): void {
    this.#handler = handler;
    this.#onClosed = onClosed;
    this.#lastHeard = Date.now();
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastHeard > timers.silenceMs) {
        this.#close(`the agent did not answer for ${Math.round(timers.silenceMs / 1000)} s`);
        return;
      }
      void this.send({ t: 'ping', seq: ++this.#seq });
    }, timers.pingEveryMs);
  }

  send(header: object, body?: Buffer): Promise<void> {
    if (this.#closed !== undefined) return Promise.resolve();
    return this.#writer.send(header, body);
  }

  /** Says goodbye and waits (briefly) for the session to end. */
  async bye(): Promise<void> {
    if (this.#closed !== undefined) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    await this.send({ t: 'bye' });
    this.#writer.end();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    this.#close('closed by kiln');
  }

  /** Ends the session now (its ssh process is killed). */
  abandon(reason: string): void {
    this.#close(reason);
  }

  #listen(): void {
    const reader = new FrameReader((frame) => {
      this.#lastHeard = Date.now();
      const checked = upShape(frame.header, 'message');
      if (!checked.ok) return this.#close(`the agent sent a bad message (${checked.reason})`);
      if (checked.value.t === 'fault') return this.#close(`the agent gave up: ${checked.value.reason}`);
      this.#handler(checked.value, frame.body);
    }, (message) => this.#close(`the agent's output is garbled: ${message}${this.#stderrHint()}`));
    this.#child.stdout.on('data', (b: Buffer) => { this.#lastHeard = Date.now(); reader.push(b); });
    this.#child.on('error', (err) => this.#close(`cannot start the agent's session: ${err.message}`));
    this.#child.on('exit', (code, signal) => this.#close(this.#exitReason(code, signal)));
  }

  #exitReason(code: number | null, signal: NodeJS.Signals | null): string {
    const err = this.#stderr.trim();
    if (code === 127 && /node.*not found|not found.*node/i.test(err)) {
      return `node is not on the build user's PATH on this host (kiln needs Node.js ${MIN_NODE_MAJOR} or later there)`;
    }
    const how = signal ? `was killed (${signal})` : `exited ${code ?? '?'}`;
    return `the agent's session ${how}${this.#stderrHint()}`;
  }

  #stderrHint(): string {
    const lines = this.#stderr.trim().split('\n').filter((l) => l.trim() !== '');
    return lines.length > 0 ? `: ${lines.slice(-2).join(' / ')}` : '';
  }

  #close(reason: string): void {
    if (this.#closed !== undefined) return;
    this.#closed = reason;
    if (this.#timer) clearInterval(this.#timer);
    this.#kill();
    this.#onClosed(reason);
  }

  #kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}
