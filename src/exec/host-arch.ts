// A host's architecture, as pkgsrc names it (MACHINE_ARCH: `uname -m`, every
// 32-bit x86 as i386), and whether a host may build for the run: a build is
// for one architecture (`kiln build --arch`, by default the coordinator's),
// and a host's `arch=` in the hosts file is only a claim its agent's probe
// must bear out. Each refusal names both sides.

import { machineArch } from '../sandbox/package-metadata.js';

/** What a hosts file's `arch=` and `--arch` may say. */
export const ARCH_NAME = /^[A-Za-z0-9_]{1,32}$/;

/** pkgsrc's name for what `uname -m` says. */
export function archName(unameM: string): string {
  return unameM.replace(/^i[3-6]86$/, 'i386');
}

/** This machine's architecture, pkgsrc's name. */
export function coordinatorArch(): string {
  return machineArch();
}

export interface ArchWanted {
  /** The hosts file's `arch=`. */
  readonly claimed?: string | undefined;
  /** The architecture the run builds for. */
  readonly build?: string | undefined;
}

/** Why a host that reports `unameM` may not build, or undefined. */
export function archProblem(unameM: string, wanted: ArchWanted): string | undefined {
  const is = archName(unameM);
  if (wanted.claimed !== undefined && archName(wanted.claimed) !== is) return `it is ${is}, the hosts file says arch=${wanted.claimed}`;
  if (wanted.build !== undefined && archName(wanted.build) !== is) return `it is ${is}, the build is for ${wanted.build} (kiln build --arch)`;
  return undefined;
}
