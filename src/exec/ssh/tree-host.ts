// What a kind of tree needs of a remote build host, as the ssh executor sees
// it: made ready at the end of the handshake, a part each job carries, and
// how a scan runs there. A Portfile tree needs none of it (each job carries
// its port's files); pkgsrc's is pkgsrc-host.ts. cli/ picks the kind.

import type { BuildJob } from '../../job/build-job.js';
import type { PkgsrcPart, ScanSpec } from '../agent/protocol.js';
import type { FileHasher } from './file-hasher.js';
import type { HostSession } from './host-session.js';

export type TreeJobPart =
  | { readonly ok: true; readonly part: PkgsrcPart; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string };

export interface TreeHost {
  /** At the end of the handshake, before any job: why the host cannot build this tree, or undefined. */
  prepare(session: HostSession, signal: AbortSignal): Promise<string | undefined>;
  /** A job's part of the tree (the files it names go by hash), once the host is ready; undefined before. */
  jobPart(job: BuildJob, hasher: FileHasher): Promise<TreeJobPart> | undefined;
  /** The scan of `pkgpath` on the host, once it is ready; undefined: scan with the port's files shipped. */
  scanSpec(pkgpath: string, timeoutS: number, hasher: FileHasher): Promise<ScanSpec | undefined>;
}

/** Makes a host's TreeHost: one per host, each keeping what it made ready there. */
export type TreeHostFactory = () => TreeHost;
