// The tree driver for pkgsrc: each port is scanned by running
// `bmake pbulk-index` in its directory, with no shell in between, inside a
// bubblewrap sandbox (the tree read-only, the bootstrapped prefix read-only
// at PREFIX, no network, started as the build user when kiln is root, and
// nothing writable but its own /tmp, which holds pkgsrc's option cache for
// this scan only: a port cannot plant options another port's scan reads,
// and kiln never reads what a scan wrote). Variables that are the same
// for every port are asked once (tree-variables.ts) and passed in. The
// blocks are what bmake printed, with PKG_LOCATION added (and the port's
// KILN_HOST_FEATURES and pkgsrc's _USE_DISTCC, which the same bmake prints:
// scan-output.ts); the scan cache
// reuses a port's blocks while none of its SCAN_DEPENDS files changed.
// The same sandbox answers what a port fetches (fetchValues), for kiln's
// fetch jobs.

import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { parsePkgsrcFetch, PKGSRC_FETCH_QUERY, type PkgsrcFetchValues } from '../../core/distfiles/pkgsrc-fetch.js';
import { escapeControls } from '../../core/formats/escape.js';
import type { PkgPath } from '../../core/model.js';
import type { NotAPort, ScanResult, TreeDriver } from '../driver.js';
import { unscannableBlock } from '../index-block.js';
import { isPkgPath } from '../../core/pkgpath.js';
import type { ScanInputs } from '../scan-cache.js';
import { firstLine, runScanCommand, type ScanExit } from '../scan-process.js';
import { type ScanBind, sandboxArgv } from '../scan-sandbox.js';
import { locatePort, subdirNames } from './port-dirs.js';
import { InputHashes, scanInputs, type ShownAt } from './scan-inputs.js';
import { SCAN_TARGETS, scanOutput } from './scan-output.js';
import { PROBE_PKGPATH, TREE_VARIABLES, treeAssignments } from './tree-variables.js';

export interface PkgsrcScanSetup {
  /** bmake, as the sandbox sees it (`/usr/pkg/bin/bmake`). */
  readonly make: string;
  /** The bootstrapped prefix shown read-only at PREFIX (an unpacked bootstrap kit); absent: the host's own. */
  readonly prefix?: ShownAt;
  /** What identifies the make and its mk files (the kit's or the make binary's hash): part of the cache fingerprint. */
  readonly makeIdentity: string;
  /** true: pkgsrc's PBULK_CACHE_DIRECTORY (dependencies' build options) on the scan's own /tmp, kept for its sub-makes only. */
  readonly optionCache?: boolean;
  /**
   * Whom bubblewrap runs as. Started by root, it maps the scan's user to
   * root, whose owner bits open root-only files; started as this user, the
   * scan has only this user's access. Default: kiln's own user.
   */
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
  /**
   * A host directory shown read-only as /etc: what anyone may read of the
   * host's (pkgsrc's makefiles test /etc/debian_version and the like).
   * Absent: the scan sees no /etc but the loader's files.
   */
  readonly etc?: string;
  /** A scan still running after this many seconds is killed. Default 120. */
  readonly timeoutS?: number;
  /** The bubblewrap binary. Default `bwrap` from PATH. */
  readonly bwrap?: string;
  /** false: do not ask the tree variables once (each scan computes them; for measuring what that saves). */
  readonly treeVariables?: boolean;
}

/** Bumped whenever the blocks a scan gives change for the same makefiles. */
const BLOCK_FORMAT = 'pkgsrc-pbulk-index-3';
const OPTION_CACHE_AT = '/tmp/kiln-pbulk-cache';
const LIST_JOBS = 4;

export class PkgsrcDriver implements TreeDriver, ScanInputs {
  readonly kind = 'pkgsrc' as const;
  readonly root: string;
  readonly fingerprint: string;
  /** `NAME=value` words every scan gets: the tree variables, PBULK_CACHE_DIRECTORY. */
  readonly assignments: readonly string[];
  private readonly hashes: InputHashes;

  private constructor(root: string, private readonly setup: PkgsrcScanSetup, treeVariables: readonly string[]) {
    this.root = root;
    this.hashes = new InputHashes(setup.prefix);
    this.assignments = [...treeVariables, ...(setup.optionCache === true ? [`PBULK_CACHE_DIRECTORY=${OPTION_CACHE_AT}`] : [])];
    this.fingerprint = createHash('sha256').update(BLOCK_FORMAT).update('\0').update(setup.makeIdentity)
      .update('\0').update(treeVariables.join('\0')).digest('hex').slice(0, 16);
  }

  /** The driver for the tree at `root`, with the tree variables asked of bmake once. */
  static async open(root: string, setup: PkgsrcScanSetup, signal: AbortSignal): Promise<PkgsrcDriver> {
    const absolute = path.resolve(root);
    let real = absolute;
    try {
      real = realpathSync(absolute);
    } catch {
      // scanned as given; a missing tree shows in each scan
    }
    const probe = new PkgsrcDriver(real, setup, []);
    const location = await locatePort(real, PROBE_PKGPATH);
    if (location.kind !== 'found' || setup.treeVariables === false) return probe;
    const exit = await probe.make(location.portDir, ['show-vars', `VARNAMES=${TREE_VARIABLES.join(' ')}`], signal);
    const variables = exit.kind === 'exited' && exit.status === 0 ? treeAssignments(exit.stdout.toString('utf8')) : [];
    return new PkgsrcDriver(real, setup, variables);
  }

  /** Runs bmake in `cwd` inside the scan sandbox. */
  private make(cwd: string, args: readonly string[], signal: AbortSignal): Promise<ScanExit> {
    const binds: ScanBind[] = [];
    if (this.setup.prefix !== undefined) binds.push({ source: this.setup.prefix.dir, dest: this.setup.prefix.at, writable: false });
    if (this.setup.etc !== undefined) binds.push({ source: this.setup.etc, dest: '/etc', writable: false });
    const prefixBin = this.setup.prefix === undefined ? '' : `${this.setup.prefix.at}/bin:${this.setup.prefix.at}/sbin:`;
    const env = { PATH: `${prefixBin}/usr/bin:/bin:/usr/sbin:/sbin`, HOME: '/tmp', TMPDIR: '/tmp' };
    const argv = sandboxArgv(this.setup.bwrap ?? 'bwrap', { readOnly: [this.root], binds, cwd, env }, [this.setup.make, ...args]);
    const timeoutS = this.setup.timeoutS ?? 120;
    return runScanCommand({ argv, cwd: this.root, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeoutS, user: this.setup.user }, signal);
  }

  async listPorts(signal: AbortSignal, notAPort?: NotAPort): Promise<PkgPath[]> {
    const categories = await this.subdirs(this.root, signal);
    const found: PkgPath[] = [];
    for (let i = 0; i < categories.length; i += LIST_JOBS) {
      const batch = categories.slice(i, i + LIST_JOBS);
      const lists = await Promise.all(batch.map((category) => this.subdirs(path.join(this.root, category), signal)));
      batch.forEach((category, j) => lists[j]!.forEach((name) => found.push(`${category}/${name}`)));
    }
    for (const bad of new Set(found.filter((pkgpath) => !isPkgPath(pkgpath)))) notAPort?.(escapeControls(bad), 'not built: a SUBDIR entry must be a directory name of letters, digits and ._+@,=-');
    return [...new Set(found.filter(isPkgPath))].sort();
  }

  /** A directory's SUBDIR, as bmake sees it; a directory bmake cannot read lists nothing. */
  private async subdirs(dir: string, signal: AbortSignal): Promise<string[]> {
    const exit = await this.make(dir, ['show-subdir-var', 'VARNAME=SUBDIR'], signal);
    return exit.kind === 'exited' && exit.status === 0 ? subdirNames(exit.stdout.toString('utf8')) : [];
  }

  async scanPort(pkgpath: PkgPath, signal: AbortSignal): Promise<ScanResult> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    const scanned = (index: string): ScanResult => ({ kind: 'scanned', pkgpath, index, seconds: seconds() });
    const location = await locatePort(this.root, pkgpath);
    if (location.kind === 'missing') return scanned(unscannableBlock(pkgpath, location.reason));
    const exit = await this.make(location.portDir, [...SCAN_TARGETS, ...this.assignments], signal);
    const failed = (error: string): ScanResult => ({ kind: 'error', pkgpath, error, seconds: seconds() });
    const timeoutS = this.setup.timeoutS ?? 120;
    switch (exit.kind) {
      case 'spawn-failed': return failed(`cannot start the scan sandbox (${this.setup.bwrap ?? 'bwrap'}): ${exit.error}`);
      case 'aborted': return failed('the scan was stopped');
      case 'timed-out': return failed(`bmake pbulk-index took longer than ${timeoutS} s and was killed`);
      case 'signalled': return failed(`bmake pbulk-index was killed by ${exit.signal}`);
      case 'exited': break;
    }
    const stderr = firstLine(exit.stderr);
    if (exit.stdout.length === 0 && stderr.startsWith('bwrap:')) return failed(`the scan sandbox failed: ${stderr}`);
    const unscannable = (error: string): ScanResult => scanned(unscannableBlock(pkgpath, stderr === '' ? error : `${error}: ${stderr}`));
    if (exit.truncated) return unscannable('bmake pbulk-index wrote too much output');
    if (exit.status !== 0) return unscannable(`bmake pbulk-index failed (exit status ${exit.status})`);
    const output = scanOutput(pkgpath, exit.stdout.toString('utf8'));
    return output.kind === 'index' ? scanned(output.index) : unscannable(output.error);
  }

  /**
   * What pkgsrc would fetch for the port (one MULTI_VERSION variant of it:
   * `assignments`), asked of bmake in the scan sandbox (no network, the tree
   * read-only) with the tree variables: its DISTINFO_FILE, DIST_SUBDIR and
   * each file of _ALLFILES with its sites (core/distfiles/pkgsrc-fetch.ts).
   */
  async fetchValues(pkgpath: PkgPath, assignments: readonly string[], signal: AbortSignal): Promise<PkgsrcFetchValues | { readonly error: string }> {
    const location = await locatePort(this.root, pkgpath);
    if (location.kind === 'missing') return { error: location.reason };
    const query = PKGSRC_FETCH_QUERY.flatMap((expression) => ['-V', expression]);
    const exit = await this.make(location.portDir, [...query, ...this.assignments, ...assignments], signal);
    switch (exit.kind) {
      case 'spawn-failed': return { error: `cannot start the scan sandbox (${this.setup.bwrap ?? 'bwrap'}): ${exit.error}` };
      case 'aborted': return { error: 'stopped' };
      case 'timed-out': return { error: 'bmake took too long and was killed' };
      case 'signalled': return { error: `bmake was killed by ${exit.signal}` };
      case 'exited': break;
    }
    const stderr = firstLine(exit.stderr);
    if (exit.status !== 0 || exit.truncated) return { error: `bmake failed (exit status ${exit.status})${stderr === '' ? '' : `: ${stderr}`}` };
    const values = parsePkgsrcFetch(exit.stdout.toString('utf8'));
    return typeof values === 'string' ? { error: values } : values;
  }

  /** For the scan cache: the port directory and every file of its SCAN_DEPENDS. */
  inputs(pkgpath: PkgPath, index: string): Promise<string[]> {
    return Promise.resolve(scanInputs(this.root, pkgpath, index));
  }

  hash(root: string, input: string): string {
    return this.hashes.hash(root, input);
  }
}
