// Command lines for the system's OpenSSH: one ControlMaster per host, in a
// private directory, and sessions multiplexed over it. The options that make
// a cut link seen in seconds (ServerAlive*) and never prompt (BatchMode) are
// always given; `-F` lets tests and users point at their own ssh_config.

import { join } from 'node:path';
import type { SshExecutorOptions } from './ssh-executor-options.js';

export interface SshSettings {
  /** ssh's destination: `host`, `user@host` or an ssh_config alias. */
  readonly destination: string;
  /** The ssh program; default `ssh`. */
  readonly program: string;
  /** `-F <file>`: read this ssh_config instead of ~/.ssh/config. */
  readonly configFile?: string;
  /** The control socket, in a private 0700 directory. */
  readonly controlPath: string;
  /** The master's own log (`-E`): why it failed or ended. */
  readonly masterLog: string;
  readonly connectTimeoutS: number;
  readonly serverAliveIntervalS: number;
  readonly serverAliveCountMax: number;
  /** How long an idle master stays after its last session (it is also told to exit on close). */
  readonly controlPersistS: number;
}

function common(s: SshSettings): string[] {
  return [
    ...(s.configFile === undefined ? [] : ['-F', s.configFile]),
    '-o', `ControlPath=${s.controlPath}`,
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${s.connectTimeoutS}`,
    '-o', `ServerAliveInterval=${s.serverAliveIntervalS}`,
    '-o', `ServerAliveCountMax=${s.serverAliveCountMax}`,
  ];
}

/** The settings of an executor's host, its control socket and master log in `controlDir`. */
export function settingsFor(o: SshExecutorOptions, controlDir: string): SshSettings {
  return {
    destination: o.destination,
    program: o.sshProgram ?? 'ssh',
    ...(o.sshConfig === undefined ? {} : { configFile: o.sshConfig }),
    controlPath: join(controlDir, 'master'),
    masterLog: join(controlDir, 'master.log'),
    connectTimeoutS: o.connectTimeoutS ?? 10,
    serverAliveIntervalS: o.serverAliveIntervalS ?? 1,
    serverAliveCountMax: o.serverAliveCountMax ?? 5,
    controlPersistS: 60,
  };
}

/**
 * Starts the master: with ControlPersist, ssh forks it into the background
 * once authenticated, and the foreground process exits 0 — the sign it is up.
 */
export function masterArgs(s: SshSettings): string[] {
  // LogLevel INFO: the log is ours, and "Timeout, server not responding" is logged at INFO.
  return [...common(s), '-o', 'ControlMaster=yes', '-o', `ControlPersist=${s.controlPersistS}`, '-o', 'LogLevel=INFO',
    '-E', s.masterLog, '-N', '--', s.destination];
}

/** A session over the master running `command` (one string, for the remote login shell). */
export function sessionArgs(s: SshSettings, command: string): string[] {
  return [...common(s), '-o', 'ControlMaster=no', '-T', '--', s.destination, command];
}

/** `ssh -O check|exit`: asks the master. */
export function controlArgs(s: SshSettings, op: 'check' | 'exit'): string[] {
  return [...common(s), '-O', op, '--', s.destination];
}

/** Whether `destination` can be given to ssh as a destination (and never read as an option). */
export function isSafeDestination(destination: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._@:%+-]{0,253}$/.test(destination);
}
