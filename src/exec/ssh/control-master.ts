// The one ssh connection per host: a ControlMaster in the background, found
// again by its socket. Sessions ride on it; when the link dies, ServerAlive
// ends the master and every session on it.

import { spawn } from 'node:child_process';
import { readFile, rm, truncate } from 'node:fs/promises';
import { controlArgs, masterArgs, type SshSettings } from './ssh-args.js';

export type MasterResult = { readonly ok: true; readonly reused: boolean } | { readonly ok: false; readonly reason: string };

interface Exit { readonly code: number | null; readonly stderr: string }

function runSsh(s: SshSettings, args: readonly string[], signal: AbortSignal | undefined, timeoutMs: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(s.program, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString('utf8')).slice(-8192); });
    const stop = (): void => { child.kill('SIGKILL'); };
    const timer = setTimeout(stop, timeoutMs);
    signal?.addEventListener('abort', stop);
    const done = (code: number | null): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      child.stderr.destroy();
      resolve({ code, stderr });
    };
    // A program that cannot start gives `error` and no `exit`.
    child.on('error', (err) => { stderr += `${s.program}: ${err.message}`; done(null); });
    // `exit`, not `close`: a forked master keeps the stderr pipe open.
    child.on('exit', (code) => done(code));
  });
}

/** The pid of the running master, or undefined when there is none. */
export async function masterPid(s: SshSettings): Promise<number | undefined> {
  const r = await runSsh(s, controlArgs(s, 'check'), undefined, 10_000);
  const m = /Master running \(pid=(\d+)\)/.exec(r.stderr);
  return r.code === 0 && m ? Number(m[1]) : undefined;
}

/** Starts the master unless one is running; says why when it cannot. */
export async function ensureMaster(s: SshSettings, signal: AbortSignal): Promise<MasterResult> {
  if ((await masterPid(s)) !== undefined) return { ok: true, reused: true };
  // A stale socket would make ssh give up multiplexing silently.
  await rm(s.controlPath, { force: true });
  await truncate(s.masterLog).catch(() => undefined);
  const budgetMs = (s.connectTimeoutS + 30) * 1000;
  const r = await runSsh(s, masterArgs(s), signal, budgetMs);
  if (signal.aborted) return { ok: false, reason: 'cancelled' };
  if (r.code === 0) return { ok: true, reused: false };
  const why = (await lastLines(s.masterLog)) || r.stderr.trim() || (r.code === null ? `no answer within ${budgetMs / 1000} s` : `ssh exited ${r.code}`);
  return { ok: false, reason: `cannot connect to ${s.destination}: ${why}` };
}

/** Asks the master to exit (it closes the connection and every session on it). */
export async function stopMaster(s: SshSettings): Promise<void> {
  await runSsh(s, controlArgs(s, 'exit'), undefined, 10_000);
}

/** The last lines the master logged, for a message: why it failed or ended. */
export async function lastLines(file: string, count = 3): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(-count).join(' / ');
}
