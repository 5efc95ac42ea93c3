// The four orders `kiln simulate --policy` knows: kiln's own, and the
// anchors' as those tools order and place jobs. Only kiln shares cores
// unevenly; the anchors give every job the same make jobs (pbulk's and
// poudriere's MAKE_JOBS, dpb's default).

import type { EngineConfig } from '../engine/engine.js';
import { unreachable } from '../unreachable.js';
import { evenMakeJobs } from './make-jobs-even.js';
import { kilnMakeJobs } from './make-jobs-kiln.js';
import { anyFreePlacement } from './placement-any.js';
import { dpbPlacement } from './placement-dpb.js';
import { kilnPlacement } from './placement-kiln.js';
import { dpbPriority } from './priority-dpb.js';
import { kilnPriority } from './priority-kiln.js';
import { pbulkPriority } from './priority-pbulk.js';
import { poudrierePriority } from './priority-poudriere.js';

export type PolicyName = 'kiln' | 'pbulk' | 'dpb' | 'poudriere';

export const POLICY_NAMES: readonly PolicyName[] = ['kiln', 'pbulk', 'dpb', 'poudriere'];

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/** The policies of `name`; `sharedCores` when the hosts have a core budget to share as make jobs. */
export function policySet(name: PolicyName, sharedCores: boolean): Pick<EngineConfig, 'priority' | 'placement' | 'makeJobs'> {
  switch (name) {
    case 'kiln': return { priority: kilnPriority, placement: kilnPlacement, makeJobs: sharedCores ? kilnMakeJobs : evenMakeJobs };
    case 'pbulk': return { priority: pbulkPriority, placement: anyFreePlacement, makeJobs: evenMakeJobs };
    case 'poudriere': return { priority: poudrierePriority, placement: anyFreePlacement, makeJobs: evenMakeJobs };
    case 'dpb': return { priority: dpbPriority, placement: dpbPlacement, makeJobs: evenMakeJobs };
    default: return unreachable(name);
  }
}
