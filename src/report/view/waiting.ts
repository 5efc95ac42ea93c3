// Why a queued or waiting package has not started, as every view says it
// (`kiln why`, the page's Why column): a package with dependencies not built
// is told from the run's statuses, naming them; one whose dependencies are
// built, as the running build's engine last wrote it to the run's store
// (runtime/wait-record.ts, store/waiting-record.ts).

import { formatWaitReason } from '../../core/engine/engine-why.js';
import type { PkgName, PkgPath, Status } from '../../core/model.js';
import type { WaitingRecord } from '../../store/waiting-record.js';

const BUILT = new Set<string | undefined>(['done', 'up-to-date']);

/** Its dependencies not built yet, named (those building first); undefined when all are built. */
export function dependencyWait(depends: readonly PkgName[], statusOf: (pkgname: PkgName) => Status | undefined): string | undefined {
  const open = depends.filter((d) => !BUILT.has(statusOf(d)));
  if (open.length === 0) return undefined;
  const building = open.filter((d) => statusOf(d) === 'building');
  return formatWaitReason({ kind: 'dependencies', building, waiting: open.filter((d) => !building.includes(d)) });
}

/** What the engine said of an open package whose dependencies are built, if it is about this package. */
export function engineWait(record: WaitingRecord | undefined, pkgpath: PkgPath, pkgname: PkgName): string | undefined {
  const open = record?.open[pkgpath];
  return open !== undefined && open.pkgname === pkgname ? open.reason : undefined;
}
