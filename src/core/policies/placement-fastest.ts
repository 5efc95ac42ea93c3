// Any free slot, fastest host first, with speed as the only preference.

import type { PlacementPolicy } from './policy.js';

export const fastestFreePlacement: PlacementPolicy = {
  name: 'fastest-free',
  place(_job, hosts) {
    let best: (typeof hosts)[number] | undefined;
    for (const host of hosts) {
      if (host.freeSlots === 0) continue;
      if (!best || host.speed > best.speed || (host.speed === best.speed && host.freeSlots > best.freeSlots)) best = host;
    }
    return best?.name;
  },
};
