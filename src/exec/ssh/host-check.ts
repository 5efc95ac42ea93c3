// Whether a host may take jobs, from what its agent reported. Pure: the
// reasons are for the operator and say what to fix.

import type { ConnectResult } from '../executor.js';
import type { HostFacts } from '../agent/protocol.js';
import { MIN_NODE_MAJOR } from './bootstrap.js';
import { archName, archProblem } from '../host-arch.js';

export interface HostRequirements {
  readonly protocol: number;
  /** `arch=` of the hosts file: the host's `uname -m` must be this. */
  readonly arch?: string;
  /** The architecture the run builds for (`kiln build --arch`). */
  readonly buildArch?: string;
  readonly minDiskFreeMiB: number;
  readonly requireBwrap: boolean;
}

export function checkHost(facts: HostFacts, req: HostRequirements): ConnectResult {
  const problems: string[] = [];
  if (facts.protocol !== req.protocol) problems.push(`its agent speaks protocol ${facts.protocol}, kiln ${req.protocol}`);
  const major = Number(/^(\d+)\./.exec(facts.node)?.[1] ?? NaN);
  if (!(major >= MIN_NODE_MAJOR)) problems.push(`node ${facts.node} is too old (kiln needs Node.js ${MIN_NODE_MAJOR} or later)`);
  const arch = archProblem(facts.arch, { claimed: req.arch, build: req.buildArch });
  if (arch !== undefined) problems.push(arch);
  if (!facts.workDir.ok) problems.push(`${facts.workDir.detail}: give the host a directory the build user can reach with dir= in the hosts file (e.g. dir=/var/tmp/kiln)`);
  if (req.requireBwrap && !facts.bwrap.ok) problems.push(`no working bubblewrap: ${facts.bwrap.detail}`);
  if (facts.diskFreeMiB < req.minDiskFreeMiB) {
    problems.push(`only ${facts.diskFreeMiB} MiB free where kiln works (at least ${req.minDiskFreeMiB} MiB wanted)`);
  }
  if (problems.length > 0) return { ok: false, reason: problems.join('; '), ...(arch !== undefined && { lasting: true as const }) };
  return { ok: true, info: { arch: archName(facts.arch), os: `${facts.os} ${facts.osRelease}`, node: facts.node, cores: facts.cores, memoryMiB: facts.memoryMiB } };
}
