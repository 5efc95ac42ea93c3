// The real `kiln` binary as a child process the test watches: its output
// line by line (run with --plain), a bounded wait for a line, its exit.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: test support runs from dist/test/support/. */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const KILN = path.join(repo, 'bin/kiln.js');
export const EXAMPLES = path.join(repo, 'examples');

export interface KilnProcess {
  readonly child: ChildProcess;
  /** Every line of stdout and stderr so far, in order. */
  readonly lines: string[];
  /** Resolves with the first line (from `from` on) that matches, or rejects after `withinMs`. */
  line(pattern: RegExp, withinMs?: number, from?: number): Promise<string>;
  readonly exited: Promise<number | null>;
}

/** `env`: set for kiln on top of this process's environment. */
export function startKiln(args: readonly string[], cwd = repo, env: Readonly<Record<string, string>> = {}): KilnProcess {
  const child = spawn(process.execPath, [KILN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  const take = (stream: NodeJS.ReadableStream): void => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts);
      for (const wake of [...waiting]) wake();
    });
  };
  take(child.stdout);
  take(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    for (const wake of [...waiting]) wake();
    resolve(code);
  }));
  const line = (pattern: RegExp, withinMs = 60_000, from = 0): Promise<string> => new Promise((resolve, reject) => {
    const check = (): void => {
      const found = lines.slice(from).find((l) => pattern.test(l));
      if (found !== undefined) done(() => resolve(found));
      else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`kiln ended without a line ${pattern}:\n${lines.slice(-30).join('\n')}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no line ${pattern} within ${withinMs} ms:\n${lines.slice(-30).join('\n')}`))), withinMs);
    const done = (then: () => void): void => {
      clearTimeout(timer);
      waiting.delete(check);
      then();
    };
    waiting.add(check);
    check();
  });
  return { child, lines, line, exited };
}
