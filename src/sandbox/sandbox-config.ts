// How sandboxes are made on this host: which host paths a build sees, as
// whom it runs, where its scratch lives. PREFIX travels with the job (every
// package of a repository shares it); the rest belongs to the build host.

import { tmpdir } from 'node:os';
import { posix } from 'node:path';

/** Where dependencies are installed and packages install, in every sandbox. */
export const DEFAULT_PREFIX = '/opt/kiln';

/** Fixed paths inside the sandbox, the same for every job. */
export const SANDBOX = {
  /** WRKSRC: the copy of the port directory the build runs in. */
  work: '/build/work',
  /** DESTDIR: `install()` puts files under `$DESTDIR$PREFIX`. */
  destdir: '/build/destdir',
  home: '/build/home',
  /** DISTDIR: the port's distfiles, each bound read-only by name. */
  distdir: '/build/distfiles',
  tmp: '/tmp',
  varTmp: '/var/tmp',
} as const;

export interface BuildUser {
  readonly uid: number;
  readonly gid: number;
}

export interface SandboxConfig {
  /** The bubblewrap program, looked up in PATH unless absolute. */
  readonly bwrap: string;
  /** Host paths a build sees read-only, at the same place. Missing ones are left out. */
  readonly hostPaths: readonly string[];
  /** Host paths hidden behind an empty read-only directory (if they exist). */
  readonly hiddenPaths: readonly string[];
  /**
   * Whom builds run as. When kiln runs as root this is `nobody` (65534), so
   * a build cannot read root-only host files (/etc/shadow, ssh host keys)
   * into its package; undefined keeps the caller's own user.
   */
  readonly buildUser: BuildUser | undefined;
  /** Seconds between SIGTERM and SIGKILL when a job is stopped. */
  readonly killGraceS: number;
  /** Default directory for job scratch directories. */
  readonly scratchBase: string;
}

export function defaultSandboxConfig(): SandboxConfig {
  const root = process.getuid?.() === 0;
  return {
    bwrap: 'bwrap',
    hostPaths: ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'],
    hiddenPaths: ['/usr/local'],
    buildUser: root ? { uid: 65534, gid: 65534 } : undefined,
    killGraceS: 5,
    scratchBase: tmpdir(),
  };
}

const RESERVED = ['/build', '/tmp', '/var/tmp', '/dev', '/proc', '/sys', '/run'];

/** Why `prefix` cannot be PREFIX, or undefined when it can. */
export function badPrefix(prefix: string, config: SandboxConfig): string | undefined {
  if (!prefix.startsWith('/')) return `PREFIX ${prefix} is not an absolute path`;
  if (prefix === '/' || posix.normalize(prefix) !== prefix || prefix.endsWith('/')) return `PREFIX ${prefix} is not a normalized directory path below /`;
  if (/[\0\n]/.test(prefix)) return 'PREFIX holds a NUL or line break';
  const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  const reserved = RESERVED.find((path) => overlaps(path, prefix));
  if (reserved !== undefined) return `PREFIX ${prefix} overlaps ${reserved}, which the sandbox uses`;
  const covered = config.hostPaths.find((path) => path === prefix || path.startsWith(`${prefix}/`));
  if (covered !== undefined) return `PREFIX ${prefix} would hide the host's ${covered}`;
  return undefined;
}
