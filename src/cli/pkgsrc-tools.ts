// pkgsrc's package tools (pkg_info) run on the repository for its index: from
// the unpacked bootstrap kit, inside the scan sandbox (read-only, no network,
// an unprivileged user), since they parse package files builds made.

import type { ShownAt } from '../ports/pkgsrc/scan-inputs.js';
import { runScanCommand } from '../ports/scan-process.js';
import { sandboxArgv } from '../ports/scan-sandbox.js';
import type { ToolRun } from '../report/pkgsrc-index.js';

export function kitTools(prefix: ShownAt, allDir: string, signal: AbortSignal): ToolRun {
  return async (argv) => {
    const env = { PATH: `${prefix.at}/sbin:${prefix.at}/bin:/usr/bin:/bin`, HOME: '/tmp', TMPDIR: '/tmp', LC_ALL: 'C' };
    const binds = [{ source: prefix.dir, dest: prefix.at, writable: false }];
    const command = sandboxArgv('bwrap', { readOnly: [allDir], binds, cwd: allDir, env }, argv);
    const exit = await runScanCommand({
      argv: command, cwd: allDir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeoutS: 3600, maxOutputBytes: 512 * 1024 * 1024,
    }, signal);
    switch (exit.kind) {
      case 'exited': return { ok: true, status: exit.status, stdout: exit.stdout.toString('utf8'), stderr: exit.stderr };
      case 'spawn-failed': return { ok: false, error: `cannot start the sandbox for ${argv[0] ?? ''}: ${exit.error}` };
      case 'timed-out': return { ok: false, error: `${argv[0] ?? ''} took longer than an hour` };
      case 'signalled': return { ok: false, error: `${argv[0] ?? ''} was killed by ${exit.signal}` };
      case 'aborted': return { ok: false, error: 'stopped' };
    }
  };
}
