// A subcommand of `kiln`: its name, its help text and what it does. Every
// command gets the same IO and one AbortSignal, so Ctrl-C reaches each adapter.

export interface CommandIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
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

/** A mistake in how kiln was called: printed with the usage, exit status 2. */
export class UsageError extends Error {}

/** Bad input or environment the user can fix (missing file, bad hosts file): exit status 1. */
export class UserError extends Error {}
