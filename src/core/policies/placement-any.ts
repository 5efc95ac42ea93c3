// Any free slot, in the order the hosts came up: what pbulk and poudriere
// do. pbulk's master hands the next job to whichever client asks for work;
// poudriere's builders take the next job when they are idle. Neither
// weighs a host's speed.

import type { PlacementPolicy } from './policy.js';

export const anyFreePlacement: PlacementPolicy = {
  name: 'any-free',
  place(_job, hosts) {
    return hosts.find((host) => host.freeSlots > 0)?.name;
  },
};
