// Any free slot, fastest host first: what pbulk and poudriere do (they do not
// weigh hosts), with speed as the only preference.

import type { PlacementPolicy } from './policy.js';

export const fastestFreePlacement: PlacementPolicy = {
  name: 'fastest-free',
  place(_job, hosts) {
    let best = hosts[0];
    for (const host of hosts) {
      if (!best || host.speed > best.speed || (host.speed === best.speed && host.freeSlots > best.freeSlots)) best = host;
    }
    return best?.name;
  },
};
