// What pbulk's pkg-build reads from a package's presolve block before it
// builds it, checked: MULTI_VERSION becomes make arguments, so each word
// must be a plain `NAME=value` (make would run `${:!cmd!}`, a shell would
// split or expand anything else); DEPENDS names package files.

import { isSafePkgname } from '../pkgpath.js';

export type UsergroupStage = 'configure' | 'build' | 'install';

export interface PkgsrcBuildFacts {
  /** The resolved dependencies, installed with pkg_add before the build. */
  readonly depends: readonly string[];
  /** MULTI_VERSION's `NAME=value` words, given to every bmake of the job. */
  readonly multiVersion: readonly string[];
  /** USE_DESTDIR=user-destdir: stage-install runs as the build user; else as root. */
  readonly userDestdir: boolean;
  /** BOOTSTRAP_PKG set: no test pkg_add/pkg_delete (the kit may hold it already). */
  readonly bootstrap: boolean;
  /** USERGROUP_PHASE: `bmake create-usergroup` runs as root before this stage. */
  readonly usergroupBefore: UsergroupStage | undefined;
}

export type FactsResult = { readonly ok: true; readonly facts: PkgsrcBuildFacts } | { readonly ok: false; readonly reason: string };

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_.]*=[A-Za-z0-9_.,+-]*$/;

/** pbulk's reading of USERGROUP_PHASE: `*configure`, `*build`, `pre-install`; anything else creates no users. */
export function usergroupStage(value: string): UsergroupStage | undefined {
  if (value.endsWith('configure')) return 'configure';
  if (value.endsWith('build')) return 'build';
  if (value === 'pre-install') return 'install';
  return undefined;
}

export function pkgsrcBuildFacts(block: Readonly<Record<string, string>>): FactsResult {
  const words = (key: string): string[] => (block[key] ?? '').split(/\s+/).filter((word) => word !== '');
  const multiVersion = words('MULTI_VERSION');
  const badWord = multiVersion.find((word) => !ASSIGNMENT.test(word));
  if (badWord !== undefined) return { ok: false, reason: `MULTI_VERSION word ${JSON.stringify(badWord)} is not a plain NAME=value` };
  const depends = words('DEPENDS');
  // pkg_add takes them as arguments: none may read as an option.
  const badName = depends.find((name) => !isSafePkgname(name) || name.startsWith('-'));
  if (badName !== undefined) return { ok: false, reason: `dependency ${JSON.stringify(badName)} cannot be a package name` };
  return {
    ok: true,
    facts: {
      depends,
      multiVersion,
      userDestdir: (block['USE_DESTDIR'] ?? '').trim() === 'user-destdir',
      bootstrap: (block['BOOTSTRAP_PKG'] ?? '').trim() !== '',
      usergroupBefore: usergroupStage((block['USERGROUP_PHASE'] ?? '').trim()),
    },
  };
}
