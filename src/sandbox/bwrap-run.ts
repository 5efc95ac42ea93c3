// Runs one program in a bubblewrap sandbox as a job phase: its own process
// group (spawned detached), a new PID namespace whose processes all die with
// bwrap, output to the caller as it comes, stopped by an AbortSignal with
// SIGTERM to the group and SIGKILL after a grace period.

import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { MountOp } from './bwrap-mounts.js';
import { mountArgs } from './bwrap-mounts.js';
import type { RunnerReport } from './runner-scripts.js';
import { parseRunnerReport } from './runner-scripts.js';
import { joinCgroupArgv } from './job-cgroup.js';
import type { BuildUser } from './sandbox-config.js';

/** Descriptors inside: 0 /dev/null, 1 and 2 the output, 3 the runner's report, then the inputs. */
export const INPUT_FD_BASE = 4;

export interface SandboxProgram {
  readonly ops: readonly MountOp[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The command inside the sandbox. */
  readonly argv: readonly string[];
  /** Open host descriptors the program gets as INPUT_FD_BASE, INPUT_FD_BASE + 1, ... */
  readonly inputFds: readonly number[];
  /** uid and gid 0 in a user namespace of its own (mapped to whoever runs bwrap). */
  readonly asRoot?: boolean;
}

export interface RunOptions {
  readonly bwrap: string;
  readonly user: BuildUser | undefined;
  /** Host file for the runner's report (descriptor 3); created afresh. */
  readonly reportFile: string;
  /** Each piece of the program's output (stdout and stderr), in order. */
  readonly output: (chunk: Buffer) => Promise<void>;
  /** Aborting stops the program: SIGTERM to its group, SIGKILL after `killGraceMs`. */
  readonly stop: AbortSignal;
  readonly killGraceMs: number;
  /** Called with bwrap's pid once it runs (for benchmarks and tests of process hygiene). */
  readonly onSpawn?: (pid: number) => void;
  /** The job's cgroup, which bwrap joins before it starts (see job-cgroup.ts). */
  readonly cgroupTasks?: string;
}

export type RunEnd =
  | {
      readonly kind: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null;
      readonly report: RunnerReport; readonly stopped: boolean;
      /** The output could not be written (the log's disk is full, say). */
      readonly outputError?: NodeJS.ErrnoException;
    }
  | { readonly kind: 'spawn-failed'; readonly reason: string };

export function bwrapArgs(program: SandboxProgram): string[] {
  const env = Object.entries(program.env).flatMap(([name, value]) => ['--setenv', name, value]);
  return [
    '--unshare-all', '--die-with-parent', '--hostname', 'kiln',
    ...(program.asRoot === true ? ['--unshare-user', '--uid', '0', '--gid', '0'] : []),
    ...mountArgs(program.ops),
    '--clearenv', ...env, '--chdir', program.cwd,
    '--', ...program.argv,
  ];
}

export function runInSandbox(program: SandboxProgram, options: RunOptions): Promise<RunEnd> {
  if (options.stop.aborted) {
    return Promise.resolve({ kind: 'exited', code: null, signal: null, report: parseRunnerReport(''), stopped: true });
  }
  const reportFd = openSync(options.reportFile, 'w', 0o600);
  return new Promise<RunEnd>((resolve) => {
    let stopped = false;
    let exited = false;
    let killTimer: NodeJS.Timeout | undefined;
    const argv = [options.bwrap, ...bwrapArgs(program)];
    // Through the cgroup's shell, a missing bwrap would be the shell's error: name it as spawn would.
    if (options.cgroupTasks !== undefined && !executable(options.bwrap)) {
      closeSync(reportFd);
      resolve({ kind: 'spawn-failed', reason: spawnFailure(options.bwrap, Object.assign(new Error('not found'), { code: 'ENOENT' })) });
      return;
    }
    const [command, ...args] = options.cgroupTasks === undefined ? argv : joinCgroupArgv(options.cgroupTasks, argv);
    const child = spawn(command!, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', reportFd, ...program.inputFds],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      ...(options.user !== undefined && { uid: options.user.uid, gid: options.user.gid }),
    });
    closeSync(reportFd);
    const stopGroup = (): void => {
      if (exited || child.pid === undefined) return;
      stopped = true;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        if (!exited && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      }, options.killGraceMs);
    };
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    options.stop.addEventListener('abort', stopGroup, { once: true });

    const drained = Promise.all([pump(child.stdout, options.output), pump(child.stderr, options.output)]);
    child.once('error', (err: NodeJS.ErrnoException) => {
      exited = true;
      options.stop.removeEventListener('abort', stopGroup);
      resolve({ kind: 'spawn-failed', reason: spawnFailure(options.bwrap, err) });
    });
    child.once('exit', (code, signal) => {
      exited = true;
      clearTimeout(killTimer);
      options.stop.removeEventListener('abort', stopGroup);
      // Every process of the sandbox died with it, so its pipes close now; a
      // pipe still open after a while is not worth waiting for.
      const cap = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, 2000);
      void drained.then((failures) => {
        clearTimeout(cap);
        const report = parseRunnerReport(readReport(options.reportFile));
        const outputError = failures.find((failure) => failure !== undefined);
        resolve({ kind: 'exited', code, signal, report, stopped, ...(outputError !== undefined && { outputError }) });
      });
    });
  });
}

/**
 * Copies a pipe to `output`. When output fails (a full log disk), the pipe
 * is still drained, so the build never blocks on it; the error is returned.
 */
async function pump(stream: NodeJS.ReadableStream | null, output: (chunk: Buffer) => Promise<void>): Promise<Error | undefined> {
  let failed: Error | undefined;
  if (stream === null) return failed;
  try {
    for await (const chunk of stream) {
      if (failed !== undefined) continue;
      await output(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)).catch((err: Error) => {
        failed = err;
      });
    }
  } catch {
    // the pipe broke with the process; what was read is written
  }
  return failed;
}

/** Signals the process group led by `pid`; a group already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left to signal
  }
}

function readReport(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(0, 4096);
  } catch {
    return '';
  }
}

/** Whether `program` (a path, or a name looked up in PATH) can be executed. */
function executable(program: string): boolean {
  const candidates = program.includes('/') ? [program] : (process.env.PATH ?? '/usr/bin:/bin').split(':').map((dir) => join(dir, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function spawnFailure(bwrap: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return `bubblewrap (${bwrap}) was not found on this host: install it (apt-get install bubblewrap)`;
  return `bubblewrap (${bwrap}) could not be started: ${err.message}`;
}
