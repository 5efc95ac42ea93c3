// The ssh channel to a host's agent: one ControlMaster per host, in a
// private directory, and the agent's session multiplexed over it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentChannel, ChannelResult } from '../agent-channel.js';
import { ensureMaster, lastLines, masterPid, stopMaster } from './control-master.js';
import { sessionArgs, settingsFor, type SshSettings } from './ssh-args.js';
import type { SshExecutorOptions } from './ssh-executor-options.js';

export class SshChannel implements AgentChannel {
  readonly startWithinMs = 60_000;
  readonly #o: SshExecutorOptions;
  #settings: SshSettings | undefined;
  #controlDir: string | undefined;

  constructor(options: SshExecutorOptions) {
    this.#o = options;
  }

  async open(signal: AbortSignal): Promise<ChannelResult> {
    if (!this.#settings) {
      this.#controlDir = await mkdtemp(join(tmpdir(), 'kiln-ssh-')); // mode 0700
      this.#settings = settingsFor(this.#o, this.#controlDir);
    }
    return ensureMaster(this.#settings, signal);
  }

  launch(command: string): { readonly program: string; readonly args: readonly string[] } {
    const settings = this.#settings;
    if (!settings) throw new Error('ssh channel: launch before open');
    return { program: settings.program, args: sessionArgs(settings, command) };
  }

  async ended(): Promise<string> {
    const master = this.#settings ? await lastLines(this.#settings.masterLog, 2) : '';
    return master === '' ? '' : `ssh: ${master}`;
  }

  async close(): Promise<void> {
    if (this.#settings) await stopMaster(this.#settings);
    if (this.#controlDir) await rm(this.#controlDir, { recursive: true, force: true });
    this.#controlDir = undefined;
    this.#settings = undefined;
  }

  masterPid(): Promise<number | undefined> {
    return this.#settings ? masterPid(this.#settings) : Promise.resolve(undefined);
  }
}
