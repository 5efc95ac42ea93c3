// The job contract: what one job needs to build one package in a sandbox,
// and what it gives back. The same request runs locally or, through the
// agent, on a remote host; executors, the agent, the runtime and the sandbox
// all depend on this file, and it depends on nothing but core.

import type { JobOutcome, PkgName, PkgPath } from '../core/model.js';

/** A built package the job installs into its sandbox before building. */
export interface DependencyPackage {
  readonly pkgname: PkgName;
  /** Absolute path of its package file (`<pkgname>.tgz`). */
  readonly file: string;
}

/** Metadata that goes into the package (and from there into pkg_summary). */
export interface PackageMetadata {
  readonly comment: string;
  readonly categories: string;
  readonly maintainer: string;
  readonly homepage: string;
  readonly license: string;
  /** Run-time dependencies as `pattern` strings, recorded as @pkgdep. */
  readonly runDepends: readonly string[];
  /** Build-time dependencies as exact pkgnames, recorded as @blddep. */
  readonly buildDepends: readonly PkgName[];
  /** Hash of what the package is built from (core/build-stamp.ts), recorded as KILN_INPUTS in +BUILD_INFO. */
  readonly inputs?: string;
}

/** A distccd server of the build host's compile farm (the hosts file's `distcc=`). */
export interface DistccServer {
  readonly host: string;
  readonly port: number;
  /** Compilations it takes at once (distcc's /LIMIT; default 4, as distcc's). */
  readonly limit: number;
}

export interface BuildJob {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  /** Absolute path of the tree; the port is `<tree>/<pkgpath>`. */
  readonly tree: string;
  /**
   * Exactly the packages the sandbox holds: what the port depends on
   * (DEPENDS and BUILD_DEPENDS) plus the run-time DEPENDS of those,
   * transitively, dependencies before what needs them.
   */
  readonly dependencies: readonly DependencyPackage[];
  readonly makeJobs: number;
  /**
   * The host's make jobserver (jobserver.ts): its build phase gets
   * MAKEFLAGS with a token pipe, `makeJobs` tokens its own and more lent
   * while cores are idle. `cores`: the host's tokens; `priority`: the job's
   * build priority (bigger: a longer path behind it); `parallel` false for
   * MAKE_JOBS_SAFE=no: the job counts its one core and gets no pipe.
   * `pipe`: the fifo another process's jobserver made for the job (the
   * agent's on a remote host, agent-jobserver.ts); the builder opens and
   * unlinks it instead of joining a jobserver of its own.
   */
  readonly jobserver?: { readonly cores: number; readonly priority: number; readonly parallel: boolean; readonly pipe?: string };
  /** The job is killed and classified `timeout` after this many seconds. */
  readonly timeoutS: number;
  /** Directory beside the log (kept for what a job leaves there; the log itself is `logFile`). */
  readonly logDir: string;
  /** The job's whole log, every phase in order. */
  readonly logFile: string;
  /** Bytes of output the log keeps (`--log-cap`); the rest is left out, and said so. Default 256 MiB. */
  readonly logCapBytes?: number;
  /** The package is written here as `<pkgname>.tgz`, under a temporary name first. */
  readonly packageDir: string;
  readonly metadata: PackageMetadata;
  /**
   * The port's distfiles, verified: `name` under DISTDIR and the file that
   * holds it on this host. Shown read-only in the sandbox's DISTDIR; those
   * that are tar archives are extracted into WRKSRC before build().
   */
  readonly distfiles?: readonly { readonly name: string; readonly file: string }[];
  /**
   * Where dependencies are installed and the package installs, the same in
   * every sandbox of a run (all packages of a repository share it).
   * Default `/opt/kiln` (DEFAULT_PREFIX in sandbox-config.ts).
   */
  readonly prefix?: string;
  /**
   * The port's block as pbulk-resolve hands it to pbulk's pkg-build: every
   * KEY=VALUE of its index block but SCAN_DEPENDS, and DEPENDS (the
   * resolved dependencies, space-separated). What a recipe needs beyond the
   * metadata: pkgsrc's MULTI_VERSION, USE_DESTDIR, BOOTSTRAP_PKG,
   * USERGROUP_PHASE.
   */
  readonly block?: Readonly<Record<string, string>>;
  /**
   * The tree's files outside the port that its make read when scanned,
   * relative to the tree (pkgsrc's SCAN_DEPENDS): where a master port is.
   */
  readonly reads?: readonly string[];
  /**
   * The port's files when they are not `<tree>/<pkgpath>`: a remote pkgsrc
   * job's fresh copy, shown over that directory of the host's shared tree.
   */
  readonly portDir?: string;
  /** The port opts in to the compile farm (Portfile `USE_DISTCC=yes`). */
  readonly useDistcc?: boolean;
  /**
   * The servers its compilations go to, set by the executor of a host with
   * a farm (distcc-farm.ts); the sandbox reaches only these, through a relay.
   */
  readonly distcc?: readonly DistccServer[];
}

export interface BuildReport {
  readonly outcome: JobOutcome;
  /** Absolute path of the package, when built. */
  readonly packageFile?: string;
  /** Peak memory of the job's processes in MiB, where the host could measure it. */
  readonly memoryMiB?: number;
  /** The job's scratch directory's size at its end in MiB (the disk its next build needs), where measured. */
  readonly diskMiB?: number;
}
