// A subcommand of `kiln`: its name, its help text and what it does. Every
// command gets the same IO and one AbortSignal, so Ctrl-C reaches each adapter.

import { EXIT } from './exit-status.js';

export interface CommandIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The full `--help` text: usage line first. */
  readonly help: string;
  /** Returns the exit status. */
  run(args: string[], io: CommandIO): Promise<number>;
}

/** A mistake in how kiln was called: printed with the command's usage line, exit status 2. */
export class UsageError extends Error {}

/**
 * Input or surroundings kiln cannot use and the user can fix (a missing
 * tree, a bad hosts file, a run directory in use): one line, exit status 4
 * unless `status` says otherwise (exit-status.ts).
 */
export class UserError extends Error {
  constructor(message: string, readonly status: number = EXIT.badInput) {
    super(message);
  }
}
