// A CommandIO for calling a command in-process: what it writes to stdout
// collects in `out`; stderr and stdin are the test's own.

import type { CommandIO } from '../../src/cli/command.js';

export function commandIO(cwd: string, out: string[], env: NodeJS.ProcessEnv = {}): CommandIO {
  return {
    stdout: { write: (t: string) => out.push(t), isTTY: false }, stderr: process.stderr, stdin: process.stdin,
    env, cwd, signal: new AbortController().signal,
  } as unknown as CommandIO;
}
