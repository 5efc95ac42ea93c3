// pkgsrc's package tools (pkg_info) run on the repository for its index: from
// the unpacked bootstrap kit, inside the scan sandbox (read-only, no network,
// an unprivileged user), since they parse package files builds made. As root,
// kiln starts them as the build user when that user can reach the packages:
// bwrap started by root maps the tools to root, whose owner bits open
// root-only files.

import type { ShownAt } from '../../ports/pkgsrc/scan-inputs.js';
import { runScanCommand } from '../../ports/scan-process.js';
import { sandboxArgv } from '../../ports/scan-sandbox.js';
import type { ToolRun } from '../../report/repository/pkgsrc-index.js';
import { type BuildUser, defaultSandboxConfig } from '../../sandbox/sandbox-config.js';
import { unreachableBy } from '../../sandbox/scratch.js';

async function toolUser(allDir: string): Promise<BuildUser | undefined> {
  const user = defaultSandboxConfig().buildUser;
  return user === undefined || (await unreachableBy(allDir, user)) !== undefined ? undefined : user;
}

export function kitTools(prefix: ShownAt, allDir: string, signal: AbortSignal): ToolRun {
  let user: Promise<BuildUser | undefined> | undefined;
  return async (argv) => {
    user ??= toolUser(allDir);
    const env = { PATH: `${prefix.at}/sbin:${prefix.at}/bin:/usr/bin:/bin`, HOME: '/tmp', TMPDIR: '/tmp', LC_ALL: 'C' };
    const binds = [{ source: prefix.dir, dest: prefix.at, writable: false }];
    const command = sandboxArgv('bwrap', { readOnly: [allDir], binds, cwd: allDir, env }, argv);
    const exit = await runScanCommand({
      argv: command, cwd: allDir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeoutS: 3600, maxOutputBytes: 512 * 1024 * 1024, user: await user,
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
