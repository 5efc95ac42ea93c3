// Runs one scan command (a driver's `bash` or `bmake` inside its sandbox)
// to its end: output collected up to a limit, killed with its whole process
// group on timeout or abort. What happened is data; nothing here throws for
// a command that fails.

import { spawn } from 'node:child_process';

export interface ScanCommand {
  readonly argv: readonly [string, ...string[]];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutS: number;
  /** Output beyond this many bytes (each stream) is dropped and noted. */
  readonly maxOutputBytes?: number;
  /** Whom the command runs as (kiln as root scans as an unprivileged user); default: kiln's own user. */
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
}

export type ScanExit =
  | { readonly kind: 'exited'; readonly status: number; readonly stdout: Buffer; readonly stderr: string; readonly truncated: boolean }
  | { readonly kind: 'signalled'; readonly signal: string; readonly stderr: string }
  | { readonly kind: 'timed-out'; readonly stderr: string }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'spawn-failed'; readonly error: string };

const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

export function runScanCommand(command: ScanCommand, signal: AbortSignal): Promise<ScanExit> {
  if (signal.aborted) return Promise.resolve({ kind: 'aborted' });
  const max = command.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve) => {
    const [file, ...args] = command.argv;
    // detached: its own process group, so a kill reaches everything it started.
    const child = spawn(file, args, {
      cwd: command.cwd, env: command.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
      ...(command.user !== undefined && { uid: command.user.uid, gid: command.user.gid }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let ended: 'timed-out' | 'aborted' | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes + chunk.length > max) truncated = true;
      else stdout.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < max) stderr.push(chunk.subarray(0, max - errBytes));
      errBytes += chunk.length;
    });
    const kill = (why: 'timed-out' | 'aborted'): void => {
      ended ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => kill('timed-out'), command.timeoutS * 1000);
    const onAbort = (): void => kill('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = (exit: ScanExit): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(exit);
    };
    child.on('error', (err) => finish({ kind: 'spawn-failed', error: err.message }));
    // Whatever the command left running in its group would hold the pipes open.
    child.on('exit', () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is empty
      }
    });
    child.on('close', (status, sig) => {
      const errText = Buffer.concat(stderr).toString('utf8');
      if (ended === 'aborted') finish({ kind: 'aborted' });
      else if (ended === 'timed-out') finish({ kind: 'timed-out', stderr: errText });
      else if (status !== null) finish({ kind: 'exited', status, stdout: Buffer.concat(stdout), stderr: errText, truncated });
      else finish({ kind: 'signalled', signal: sig ?? 'unknown', stderr: errText });
    });
  });
}

/**
 * The line of a command's error output that says what went wrong, for
 * one-line messages: the first error bash or make reports with a line number
 * (what the port printed itself comes before it), else the first non-blank line.
 */
export function firstLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.find((line) => /: line [0-9]+: |^make(\[[0-9]+\])?: \*\*\*|^bmake: /.test(line)) ?? lines[0] ?? '';
}
