// One seam per kind of tree. A tree kind bundles what differs between a
// Portfile tree and a pkgsrc tree: its driver (how ports are listed and
// scanned), how a job builds (the sandbox recipe), the repository index
// written after a run, and what a remote host needs before it builds or
// scans. Commands pick the kind here (`--driver`, default: pkgsrc when the
// tree has mk/bsd.pkg.mk: open-tree.ts) and ask it; a new kind is one new
// file beside portfile.ts and pkgsrc.ts.

import type { ResolvedPackage } from '../../core/resolve/resolve.js';
import type { TreeHostFactory } from '../../exec/ssh/tree-host.js';
import type { TreeDriver } from '../../ports/driver.js';
import type { ScanInputs } from '../../ports/scan-cache.js';
import type { Builder } from '../../sandbox/builder.js';
import type { CommandIO } from '../command.js';

export const DRIVER_OPTIONS = {
  driver: { type: 'string' }, make: { type: 'string' }, 'bootstrap-kit': { type: 'string' },
} as const;

export const DRIVER_HELP = `  --driver NAME     portfile or pkgsrc (default: pkgsrc when the tree has
                    mk/bsd.pkg.mk, else portfile)
  --bootstrap-kit FILE
                    pkgsrc: the bootstrap kit (bootstrap --gzip-binary-kit);
                    scans see it unpacked at its PREFIX, and every build
                    starts from a fresh copy of it
  --make PATH       pkgsrc: bmake as the sandbox runs it (default:
                    PREFIX/bin/bmake of the kit, else /usr/pkg/bin/bmake,
                    else bmake from PATH)`;

export interface DriverValues {
  readonly driver?: string | undefined;
  readonly make?: string | undefined;
  readonly 'bootstrap-kit'?: string | undefined;
}

export interface OpenOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  /** A port's scan is killed after this many seconds (`--timeout`); default the driver's. */
  readonly timeoutS?: number;
}

/** What remote hosts need of the tree; `close` ends what it keeps (a listing of the tree). */
export interface RemoteTree {
  /** Undefined: nothing but the job's or scan's own files. */
  readonly treeHost: TreeHostFactory | undefined;
  close(): Promise<void>;
}

export interface BuildOptions {
  readonly repository: string;
  /** The run directory: where the index keeps what it read, and the tree's hashes for the next run. */
  readonly logdir: string;
  /** `--distdir`, resolved. */
  readonly distdir: string | undefined;
  readonly io: CommandIO;
}

/** How a build of the tree runs. */
export interface TreeBuild {
  /** How a job builds here (the tree's recipe). */
  readonly build: Builder;
  /** The repository index, written after the run. */
  readonly writeIndex: (allDir: string, packages: readonly ResolvedPackage[]) => Promise<void>;
  /** What a remote build host needs, made ready when the first one connects. */
  readonly remote: RemoteTree;
  /** Why this machine cannot build the tree's jobs, if it cannot: localhost is refused with it, and other hosts may build. */
  readonly localProblem?: string;
}

export interface TreeKind {
  readonly name: 'portfile' | 'pkgsrc';
  readonly driver: TreeDriver & ScanInputs;
  /** Something the operator should know before the scan starts, one line. */
  readonly notice?: string;
  /** Seconds a port's scan on a remote host may take unless `--timeout` says. */
  readonly remoteScanTimeoutS: number;
  /** What a build needs; a UserError when the tree cannot be built as given. */
  forBuild(options: BuildOptions): TreeBuild;
  /** What remote hosts need to scan the tree; a UsageError when they cannot. */
  forRemoteScan(): RemoteTree;
  /** Removes what opening made (an unpacked kit). */
  close(): Promise<void>;
}
