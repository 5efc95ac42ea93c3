// The real `kiln build` in its own process, for the tests that kill it,
// fill its disk or run two at once; and what a finished run left: the
// statuses of report.json, the repository's SHA512, how often each package
// was written (the builder notes each write in the job's log, and a job's
// earlier logs are kept as .log.N), and what should not be there.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: tests run from dist/test/support/. */
export const repo = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
export const kilnBin = join(repo, 'bin', 'kiln.js');

export interface RunDirs {
  readonly tree: string;
  readonly logdir: string;
  readonly packages: string;
  readonly lockdir?: string;
}

export interface KilnResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

export interface KilnOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  /** Called once the process runs, with its pid (to kill it from outside). */
  readonly started?: (pid: number) => void;
  readonly timeoutMs?: number;
}

/** Reproducible packages, so a resumed run's can be compared byte for byte with an uninterrupted one's. */
export const REPRODUCIBLE = { SOURCE_DATE_EPOCH: '1700000000' } as const;

export function buildArgs(dirs: RunDirs, jobs = 2): string[] {
  return ['build', '--tree', dirs.tree, '--logdir', dirs.logdir, '--packages', dirs.packages, '--jobs', String(jobs), '--plain',
    ...(dirs.lockdir !== undefined ? ['--lockdir', dirs.lockdir] : [])];
}

export function kiln(args: readonly string[], o: KilnOptions = {}): Promise<KilnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [kilnBin, ...args], {
      env: { ...process.env, ...REPRODUCIBLE, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('spawn', () => o.started?.(child.pid!));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), pid: child.pid! });
    });
  });
}

export function kilnBuild(dirs: RunDirs, o: KilnOptions = {}): Promise<KilnResult> {
  return kiln([...buildArgs(dirs), ...(o.args ?? [])], o);
}

/** Runs the same build again until it is not killed (at most `most` times); returns every result. */
export async function buildToTheEnd(dirs: RunDirs, first: KilnOptions, most = 5): Promise<KilnResult[]> {
  const results = [await kilnBuild(dirs, first)];
  while (results.at(-1)!.signal === 'SIGKILL' && results.length < most) results.push(await kilnBuild(dirs));
  return results;
}

export interface RunOutcome {
  /** pkgname: status, from report.json. */
  readonly statuses: Record<string, string>;
  /** The repository's SHA512 file. */
  readonly sums: string;
  /** pkgname: how many times a job wrote its package, over every attempt's log. */
  readonly writes: Record<string, number>;
  /** Dot files in the repository besides the index cache: half-written packages. */
  readonly partial: string[];
  /** Files in the lock directory. */
  readonly locks: string[];
}

export function outcomeOf(dirs: RunDirs): RunOutcome {
  const report = JSON.parse(readFileSync(join(dirs.logdir, 'report.json'), 'utf8')) as { packages: { pkgname: string; status: string }[] };
  const statuses: Record<string, string> = Object.fromEntries(report.packages.map((p): [string, string] => [p.pkgname, p.status]).sort());
  const all = join(dirs.packages, 'All');
  const sumsFile = join(all, 'SHA512');
  const writes: Record<string, number> = {};
  const logs = join(dirs.logdir, 'packages');
  for (const name of existsSync(logs) ? readdirSync(logs) : []) {
    const match = /^(.+)\.log(\.\d+)?$/.exec(name);
    if (!match) continue;
    const count = readFileSync(join(logs, name), 'utf8').split('\n').filter((l) => l.startsWith('kiln: wrote ')).length;
    writes[match[1]!] = (writes[match[1]!] ?? 0) + count;
  }
  const lockdir = dirs.lockdir ?? join(dirs.logdir, 'locks');
  const locks: string[] = existsSync(lockdir) ? readdirSync(lockdir, { recursive: true, encoding: 'utf8' }).filter((p) => p.includes('/')) : [];
  return {
    statuses, writes, locks: locks.sort(),
    sums: existsSync(sumsFile) ? readFileSync(sumsFile, 'utf8') : '',
    partial: existsSync(all) ? readdirSync(all).filter((n) => n.startsWith('.') && n !== '.kiln-index-cache.json') : [],
  };
}
