// Tools a run cannot do without, checked before it starts, so a missing one
// is one clear message (what, and how to get it) rather than every port
// failing its scan, and the run directory is left as it was.

import { spawnSync } from 'node:child_process';

export interface Tool {
  /** What the run needs it for, for the message. */
  readonly why: string;
  readonly program: string;
  /** A harmless run that shows it works. */
  readonly args: readonly string[];
  readonly install: string;
}

/** The sandbox every scan and every local build runs in. */
export const BUBBLEWRAP: Tool = {
  why: 'scans and builds run in its sandboxes', program: 'bwrap',
  args: ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', 'true'], install: 'apt-get install bubblewrap',
};

/** Why `tool` cannot be used here, or undefined when it can. */
export function toolProblem(tool: Tool): string | undefined {
  const run = spawnSync(tool.program, tool.args, { encoding: 'utf8', timeout: 10_000 });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? `${tool.program} is not installed (not in PATH)` : `${tool.program} cannot be run (${run.error.message})`;
    return `${what}; ${tool.why}. Install it (${tool.install}) and run the same command again`;
  }
  if (run.status !== 0) {
    return `${tool.program} fails here (${run.stderr.trim() || `exit status ${run.status}`}); ${tool.why}`;
  }
  return undefined;
}
