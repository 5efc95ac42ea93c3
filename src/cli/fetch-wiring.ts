// The fetch options `kiln build` and `kiln fetch` share: DISTDIR, the
// override site, how many fetches at once.

import { resolve } from 'node:path';

import { DEFAULT_FETCH_LIMITS } from '../core/distfiles/fetch-order.js';
import type { FetchSettings } from '../runtime/fetch-source.js';
import { integer } from './args.js';
import { UsageError } from './command.js';

export const FETCH_OPTIONS = {
  'master-site-override': { type: 'string', multiple: true },
  'fetch-jobs': { type: 'string' },
} as const;

export const FETCH_HELP = `  --distdir DIR     DISTDIR: where distfiles are fetched to and verified, shown
                    read-only to the builds (default: the tree's distfiles/)
  --master-site-override URL
                    fetch distfiles from URL first, before the ports' own
                    MASTER_SITES (repeat for more)
  --fetch-jobs N    distfiles fetched at once (default ${DEFAULT_FETCH_LIMITS.jobs}; at most ${DEFAULT_FETCH_LIMITS.perSite} from one site)
`;

export interface FetchValues {
  readonly distdir?: string | undefined;
  readonly 'master-site-override'?: string[] | undefined;
  readonly 'fetch-jobs'?: string | undefined;
}

/** KILN_FETCH_ORDER=scan: fetches in scan order instead of build priority, for bench/fetch-order.ts. */
export function fetchSettings(values: FetchValues, tree: string, cwd: string, env: NodeJS.ProcessEnv = {}): FetchSettings {
  const override = values['master-site-override'] ?? [];
  const bad = override.find((url) => !/^https?:\/\/[^/?#\s]+/i.test(url));
  if (bad !== undefined) throw new UsageError(`--master-site-override wants an http:// or https:// URL, not ${JSON.stringify(bad)}`);
  return {
    distdir: resolve(cwd, values.distdir ?? resolve(tree, 'distfiles')),
    override,
    limits: { ...DEFAULT_FETCH_LIMITS, jobs: integer(values['fetch-jobs'], 'fetch-jobs', DEFAULT_FETCH_LIMITS.jobs) },
    ...(env['KILN_FETCH_ORDER'] === 'scan' && { order: 'scan' as const }),
  };
}
