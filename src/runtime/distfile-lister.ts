// What each kind of tree fetches for a package. A Portfile port names its
// DISTFILES and MASTER_SITES in its block; a pkgsrc port's files and sites
// are computed by pkgsrc's makefiles, so bmake is asked for them
// (PkgsrcDriver.fetchValues: _ALLFILES, SITES.*, DIST_SUBDIR,
// MASTER_SITE_OVERRIDE and MASTER_SITE_BACKUP of the kit's mk.conf,
// DISTINFO_FILE) once per package to build, the most urgent first, a few
// at a time, and kiln's own fetcher gets them.

import { join } from 'node:path';

import type { FetchUrgency } from '../core/distfiles/fetch-order.js';
import type { PkgName, PkgPath } from '../core/model.js';
import { indexValue, type IndexEntry } from '../core/formats/pbulk-index.js';
import { pkgsrcBuildFacts } from '../core/job/pkgsrc-build-facts.js';
import { pkgsrcPortDistfiles, readPorts, words, type PortDistfiles } from '../fetch/port-distfiles.js';
import type { TreeDriver } from '../ports/driver.js';
import { PkgsrcDriver } from '../ports/pkgsrc/pkgsrc-driver.js';
import { distfilesOf } from './job-setup.js';

export interface WantedPort {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly entry: IndexEntry;
}

export interface DistfileLister {
  /** Whether the package may have distfiles: it waits for its fetch before it builds. */
  readonly waits: (entry: IndexEntry) => boolean;
  /** Each port's requests, or why it has none it can fetch, given as each is known; the most urgent asked first. */
  readonly list: (ports: readonly WantedPort[], give: (pkgname: PkgName, distfiles: PortDistfiles) => void,
    urgency: (pkgname: PkgName) => FetchUrgency, signal: AbortSignal) => Promise<void>;
}

/** The lister of the driver's kind of tree; `override`: `--master-site-override`. */
export function distfileLister(driver: TreeDriver, override: readonly string[]): DistfileLister {
  return driver instanceof PkgsrcDriver ? pkgsrcLister(driver, override) : portfileLister(driver.root, override);
}

/** A Portfile tree's: DISTFILES and MASTER_SITES from the block, the distinfo beside the Portfile. */
export function portfileLister(tree: string, override: readonly string[]): DistfileLister {
  return {
    waits: (entry) => distfilesOf(entry).length > 0,
    list: async (ports, give) => {
      const read = await readPorts(ports.map(({ pkgname, pkgpath, entry }) => ({
        port: pkgname, dir: join(tree, pkgpath), distfiles: distfilesOf(entry), sites: words(indexValue(entry, 'MASTER_SITES')),
      })), override);
      for (const { port, distfiles } of read) give(port, distfiles);
    },
  };
}

/** bmake queries at once: each is a parse of the port's makefiles (a tenth of a second to a second). */
const QUERY_JOBS = 2;
/** The ports still to ask are put in priority order again after so many (priorities change as builds end). */
const RESORT_EVERY = 32;

/** A pkgsrc tree's: every package may have distfiles; bmake says which, with their sites and distinfo. */
export function pkgsrcLister(driver: PkgsrcDriver, override: readonly string[]): DistfileLister {
  const one = async ({ pkgpath, entry }: WantedPort, signal: AbortSignal): Promise<PortDistfiles> => {
    const facts = pkgsrcBuildFacts(Object.fromEntries(entry.vars));
    if (!facts.ok) return { ok: false, reason: facts.reason };
    const values = await driver.fetchValues(pkgpath, facts.facts.multiVersion, signal);
    if ('error' in values) return { ok: false, reason: `cannot ask bmake for its distfiles: ${values.error}` };
    return pkgsrcPortDistfiles(driver.root, values, override);
  };
  return {
    waits: () => true,
    list: async (wanted, give, urgency, signal) => {
      const ports = [...wanted];
      let next = 0;
      let sortedAt = -Infinity;
      const worker = async (): Promise<void> => {
        await new Promise(setImmediate); // the engine takes the plan first: then it knows their priorities
        while (next < ports.length && !signal.aborted) {
          if (next - sortedAt >= RESORT_EVERY) {
            const left = ports.slice(next).sort((a, b) => sooner(urgency(b.pkgname), urgency(a.pkgname)));
            left.forEach((port, i) => (ports[next + i] = port));
            sortedAt = next;
          }
          const port = ports[next++]!;
          give(port.pkgname, await one(port, signal).catch((err: unknown): PortDistfiles => ({ ok: false, reason: `cannot read its distfiles: ${(err as Error).message}` })));
        }
      };
      await Promise.all(Array.from({ length: QUERY_JOBS }, worker));
    },
  };
}

/** Positive when `a` is wanted sooner than `b`: ready ports first, then by build priority. */
function sooner(a: FetchUrgency, b: FetchUrgency): number {
  return a.ready !== b.ready ? (a.ready ? 1 : -1) : a.priority - b.priority;
}
