// The bubblewrap sandbox a scan runs in. Scanning runs code the tree ships
// (a Portfile is a bash script; a pkgsrc Makefile runs shell commands), so it
// gets the system's /usr read-only, the tree read-only at its own path, a
// private /tmp, no network, no other process, an unprivileged user, and it
// dies with kiln.

import { lstatSync, readlinkSync } from 'node:fs';

export interface ScanSandbox {
  /** Directories bound read-only at their own paths (the tree, a pkgsrc prefix). */
  readonly readOnly: readonly string[];
  /** Working directory inside the sandbox. */
  readonly cwd: string;
  /** The environment, whole: nothing of kiln's own is passed on. */
  readonly env: Readonly<Record<string, string>>;
}

/** Top-level system paths a shell needs; merged-/usr symlinks are recreated as symlinks. */
const SYSTEM = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc/ld.so.cache', '/etc/alternatives'];

let systemArgs: string[] | undefined;

function systemBinds(): string[] {
  if (systemArgs) return systemArgs;
  const args: string[] = [];
  for (const entry of SYSTEM) {
    try {
      const stat = lstatSync(entry);
      if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(entry), entry);
      else args.push('--ro-bind', entry, entry);
    } catch {
      // not on this system
    }
  }
  systemArgs = args;
  return args;
}

/** The argv that runs `command` inside the sandbox. */
export function sandboxArgv(bwrap: string, sandbox: ScanSandbox, command: readonly string[]): [string, ...string[]] {
  const args: [string, ...string[]] = [
    bwrap,
    '--unshare-all', '--unshare-user', '--uid', '65534', '--gid', '65534',
    '--die-with-parent', '--new-session',
    ...systemBinds(),
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
  ];
  for (const dir of sandbox.readOnly) args.push('--ro-bind', dir, dir);
  args.push('--chdir', sandbox.cwd, '--clearenv');
  for (const [key, value] of Object.entries(sandbox.env)) args.push('--setenv', key, value);
  args.push('--', ...command);
  return args;
}
