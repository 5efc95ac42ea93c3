// Ports a build leaves out although the scan found them: a block whose
// PKGNAME an earlier port has (pbulk keeps the first in scan order; kiln
// scans in parallel, so its order is the pkgpaths', as `kiln scan` writes
// the index). The operator sees each, with the port that kept the name.

import type { PkgPath } from '../core/model.js';
import { type IndexEntry, indexValue } from '../core/formats/pbulk-index.js';
import type { Resolution } from '../core/resolve/resolve.js';
import type { LeftOutPort } from '../core/run-events.js';

const location = (entry: IndexEntry): PkgPath => indexValue(entry, 'PKG_LOCATION') ?? '';

/** The scan's blocks in pkgpath order (a port's own blocks in their order), so the same port keeps a PKGNAME in every run. */
export function inPkgpathOrder(entries: readonly IndexEntry[]): IndexEntry[] {
  return [...entries].sort((a, b) => (location(a) < location(b) ? -1 : location(a) > location(b) ? 1 : 0));
}

export function leftOutPorts(resolution: Resolution): LeftOutPort[] {
  return resolution.dropped.map(({ entry, keptBy }) => ({
    pkgname: entry.pkgname, pkgpath: location(entry), maintainer: indexValue(entry, 'MAINTAINER') ?? '',
    reason: `its PKGNAME ${entry.pkgname} is also that of ${location(keptBy)}, which is built instead (the first port in pkgpath order keeps a PKGNAME, as pbulk keeps the first it scans)`,
  }));
}
