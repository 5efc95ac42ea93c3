// Runs a system command for the test harness and collects what it printed.

import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly input?: string | Buffer;
  /** Killed (SIGKILL) after this many milliseconds; default 30 s. */
  readonly timeoutMs?: number;
}

export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command that must succeed; the error says what was run and what it printed. */
export async function mustRun(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const r = await runCommand(command, args, options);
  if (r.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${r.code ?? r.signal ?? '?'}): ${r.stderr.trim()}`);
  }
  return r;
}

/** Polls `check` every `everyMs` until it is true or `withinMs` passed; returns whether it became true. */
export async function waitFor(check: () => boolean | Promise<boolean>, withinMs: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
