// The bubblewrap sandbox a scan runs in. Scanning runs code the tree ships
// (a Portfile is a bash script; a pkgsrc Makefile runs shell commands), so it
// gets the system's /usr read-only, the tree read-only at its own path, a
// private /tmp, no network, no other process, an unprivileged user, and it
// dies with kiln.

import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** A host directory bound at another place: an unpacked bootstrap kit at PREFIX, a scratch directory. */
export interface ScanBind {
  readonly source: string;
  readonly dest: string;
  readonly writable: boolean;
}

export interface ScanSandbox {
  /** Directories bound read-only at their own paths (the tree, a pkgsrc prefix). */
  readonly readOnly: readonly string[];
  /** Directories bound elsewhere, after the system paths (so `/usr/pkg` may cover the host's). */
  readonly binds?: readonly ScanBind[];
  /** Working directory inside the sandbox. */
  readonly cwd: string;
  /** The environment, whole: nothing of kiln's own is passed on. */
  readonly env: Readonly<Record<string, string>>;
}

/** Top-level system paths a shell needs; merged-/usr symlinks are recreated as symlinks. */
const SYSTEM = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc/ld.so.cache', '/etc/alternatives'];

let systemArgs: string[] | undefined;

/** Binds one host path at its own place; a directory that must hold a missing mount point is rebuilt from its children. */
function exposeArgs(entry: string, holes: readonly string[], args: string[]): void {
  let stat;
  try {
    stat = lstatSync(entry);
  } catch {
    return; // not on this system
  }
  if (stat.isSymbolicLink()) {
    args.push('--symlink', readlinkSync(entry), entry);
    return;
  }
  if (!stat.isDirectory() || !holes.some((hole) => hole.startsWith(`${entry}/`))) {
    args.push('--ro-bind', entry, entry);
    return;
  }
  // A read-only bind takes no new mount point: lay the directory out on the sandbox's tmpfs root instead.
  args.push('--dir', entry);
  for (const child of readdirSync(entry).sort()) {
    const full = path.posix.join(entry, child);
    if (!holes.includes(full)) exposeArgs(full, holes, args);
  }
}

function missing(dir: string): boolean {
  try {
    return !lstatSync(dir).isDirectory();
  } catch {
    return true;
  }
}

function systemBinds(binds: readonly ScanBind[]): string[] {
  const holes = binds.map((bind) => bind.dest).filter(missing);
  if (holes.length === 0 && systemArgs) return systemArgs;
  const args: string[] = [];
  for (const entry of SYSTEM) exposeArgs(entry, holes, args);
  if (holes.length === 0) systemArgs = args;
  return args;
}

/** The argv that runs `command` inside the sandbox. */
export function sandboxArgv(bwrap: string, sandbox: ScanSandbox, command: readonly string[]): [string, ...string[]] {
  const args: [string, ...string[]] = [
    bwrap,
    '--unshare-all', '--unshare-user', '--uid', '65534', '--gid', '65534',
    '--die-with-parent', '--new-session',
    ...systemBinds(sandbox.binds ?? []),
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
  ];
  for (const dir of sandbox.readOnly) args.push('--ro-bind', dir, dir);
  for (const bind of sandbox.binds ?? []) args.push(bind.writable ? '--bind' : '--ro-bind', bind.source, bind.dest);
  args.push('--chdir', sandbox.cwd, '--clearenv');
  for (const [key, value] of Object.entries(sandbox.env)) args.push('--setenv', key, value);
  args.push('--', ...command);
  return args;
}
