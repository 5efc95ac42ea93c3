// What a pkgsrc tree needs of a build host: at the end of the handshake the
// bootstrap kit goes there (once: by content hash) and must run, and the
// tree is laid out there, each file once; then each job carries its pkgsrc
// part (pkgsrc-job-files.ts) and a scan there names the tree made ready.
// A Portfile tree needs none of this.

import type { BuildJob } from '../../job/build-job.js';
import type { PkgsrcSetup } from '../../sandbox/recipe-pkgsrc.js';
import type { ScanSpec } from '../agent/protocol.js';
import type { FileHasher } from './file-hasher.js';
import type { HostSession } from './host-session.js';
import { pkgsrcJobPart } from './pkgsrc-job-files.js';
import type { TreeHost, TreeJobPart } from './tree-host.js';
import type { TreeSnapshot } from './tree-snapshot.js';

/** A whole pkgsrc tree may take a while the first time (250 MiB for pkgsrc-2017Q4). */
const TREE_READY_MS = 4 * 3600 * 1000;

/**
 * A pkgsrc tree's setup on the coordinator: the kit and make every job runs
 * (and DISTDIR, default the tree's distfiles/), and the one listing of the
 * tree that every host of the run is made ready from.
 */
export interface PkgsrcTree {
  readonly setup: PkgsrcSetup;
  readonly tree: TreeSnapshot;
}

export class PkgsrcHost implements TreeHost {
  readonly #pkgsrc: PkgsrcTree;
  /** The hash of the tree made ready on the host. */
  #tree: string | undefined;

  constructor(pkgsrc: PkgsrcTree) {
    this.#pkgsrc = pkgsrc;
  }

  /** The kit must work on the host and the tree be made ready there: why not, or undefined. */
  async prepare(session: HostSession, signal: AbortSignal): Promise<string | undefined> {
    return await this.#checkKit(session, signal) ?? await this.#shareTree(session, signal);
  }

  /** A job's pkgsrc part, once a tree is ready on the host; undefined before. */
  jobPart(job: BuildJob, hasher: FileHasher): Promise<TreeJobPart> | undefined {
    return this.#tree === undefined ? undefined : pkgsrcJobPart(this.#pkgsrc.setup, this.#tree, job, hasher);
  }

  /** The scan of `pkgpath` in the tree made ready on the host; undefined before it is. */
  async scanSpec(pkgpath: string, timeoutS: number, hasher: FileHasher): Promise<ScanSpec | undefined> {
    if (this.#tree === undefined) return undefined;
    const { setup } = this.#pkgsrc;
    const kit = await hasher.hash(setup.kit.file);
    return { kind: 'pkgsrc', pkgpath, tree: this.#tree, kit: { hash: kit.hash, prefix: setup.kit.prefix }, make: setup.make, timeoutS };
  }

  /** The kit goes to the host (once: by content hash) and its make must run there. */
  async #checkKit(session: HostSession, signal: AbortSignal): Promise<string | undefined> {
    const { setup } = this.#pkgsrc;
    const problem = await session.askAbout(setup.kit.file, 'the bootstrap kit',
      (hash) => ({ t: 'kit-check', hash, prefix: setup.kit.prefix, make: setup.make }), 'kit-checked', 600_000, signal);
    return problem === undefined ? undefined : `the bootstrap kit does not work here: ${problem}`;
  }

  /** The tree goes to the host, each file once, and is laid out there: the tree's revision is the host's. */
  async #shareTree(session: HostSession, signal: AbortSignal): Promise<string | undefined> {
    const snapshot = this.#pkgsrc.tree;
    let manifest;
    try {
      manifest = await snapshot.manifest();
    } catch (err) {
      return `cannot list the tree ${snapshot.tree}: ${(err as Error).message}`;
    }
    for (const [hash, path] of manifest.sources) session.blobs.offer(hash, path);
    const problem = await session.askAbout(manifest.file, 'the tree', (hash) => ({ t: 'tree', hash }), 'tree-ready', TREE_READY_MS, signal);
    if (problem !== undefined) return `the tree cannot be made ready here: ${problem}`;
    this.#tree = manifest.hash;
    return undefined;
  }
}
