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

/**
 * This machine's architecture, pkgsrc's name. KILN_TEST_COORDINATOR_ARCH
 * makes it another (for the tests only: a build for the hosts' own
 * architecture from a coordinator that is not of it, on one machine).
 */
export function coordinatorArch(): string {
  const pretend = process.env['KILN_TEST_COORDINATOR_ARCH'];
  return pretend !== undefined && ARCH_NAME.test(pretend) ? pretend : machineArch();
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

/** Where a run's ports are scanned: here, here and on the remote hosts (--remote-scan), or on the remote hosts only. */
export type ScanPlace = { readonly kind: 'here' } | { readonly kind: 'pool' } | { readonly kind: 'hosts-only'; readonly why: string };

/**
 * A scan says what the machine that ran it is (MACHINE_ARCH, and a port's
 * ONLY_FOR_PLATFORM, NOT_FOR_PLATFORM and dependencies by it), so a build
 * for another architecture than this machine's (`here`) scans on its hosts
 * only: hosts the probe found to be of that architecture.
 */
export function scanPlace(buildArch: string | undefined, here: string, remoteScan: boolean): ScanPlace {
  if (buildArch !== undefined && archName(buildArch) !== archName(here)) {
    return { kind: 'hosts-only', why: `the build is for ${buildArch} and this machine is ${archName(here)}: ports are scanned on hosts of ${buildArch} only` };
  }
  return remoteScan ? { kind: 'pool' } : { kind: 'here' };
}
