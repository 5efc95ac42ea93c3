// The messages between the coordinator (down) and the agent (up), one JSON
// object a frame (see frames.ts). Both sides check every message they
// receive against these shapes before using it.

import type { JobOutcome } from '../../core/model.js';
import type { PackageMetadata } from '../../job/build-job.js';
import { array, boolean, integer, literal, matching, nullable, number, object, oneOf, string, tagged, type ShapeType } from './shape.js';
import { SHA256_HEX } from './safe-path.js';

/** Bumped whenever a message changes; both sides must agree. */
export const PROTOCOL = 8;

const hash = matching(SHA256_HEX, 'a sha256 in hex');
const jobId = integer(1, Number.MAX_SAFE_INTEGER);
const text = string(64 * 1024);
const name = string(1024);

export const portEntryShape = tagged('kind', {
  file: object({ kind: literal('file'), path: string(4096), hash, size: integer(0, Number.MAX_SAFE_INTEGER), mode: integer(0, 0o7777) }),
  dir: object({ kind: literal('dir'), path: string(4096) }),
  link: object({ kind: literal('link'), path: string(4096), target: string(4096) }),
});
/** A port's files, by content hash: the agent rebuilds the directory from its cache. */
export type PortEntry = ShapeType<typeof portEntryShape>;

const metadataShape = object({
  comment: text, categories: text, maintainer: text, homepage: text, license: text,
  runDepends: array(text, 100_000), buildDepends: array(text, 100_000),
  /** KILN_INPUTS for +BUILD_INFO; '' when the coordinator has none (then the package has no such line). */
  inputs: matching(/^(?:[0-9a-f]{64})?$/, 'an inputs hash or nothing'),
});

/**
 * What a pkgsrc job needs besides its port: the bootstrap kit every PREFIX
 * starts from (by content hash), the make it runs, the tree it runs in (the
 * hash of the tree's manifest, made ready on the host before any job; the
 * port's own files come fresh with each job), the distfiles (relative to
 * DISTDIR), and pbulk's block for the port.
 */
const pkgsrcPartShape = object({
  kit: object({ hash, size: integer(0, Number.MAX_SAFE_INTEGER), prefix: string(1024) }),
  make: string(4096),
  tree: hash,
  distfiles: array(portEntryShape, 100_000),
  block: array(object({ key: string(256), value: string(1024 * 1024) }), 10_000),
});
export type PkgsrcPart = ShapeType<typeof pkgsrcPartShape>;

export const jobSpecShape = object({
  pkgname: name,
  pkgpath: string(4096),
  makeJobs: integer(1, 4096),
  /** The host's make jobserver, which the agent runs (sandbox/jobserver.ts); null: fixed make jobs. */
  jobserver: nullable(object({ cores: integer(1, 4096), priority: number(-1e300, 1e300), parallel: boolean })),
  /** The host's distccd servers the job compiles on (distcc-farm.ts); empty: it compiles on the host. */
  distcc: array(object({ host: string(253), port: integer(1, 65535), limit: integer(1, 1024) }), 256),
  timeoutS: number(0, 1e9),
  /** Bytes of output the job's log keeps (`--log-cap`): the host cuts the log, the coordinator appends what comes. */
  logCapBytes: integer(1024, Number.MAX_SAFE_INTEGER),
  metadata: metadataShape,
  port: array(portEntryShape, 1_000_000),
  dependencies: array(object({ pkgname: name, hash, size: integer(0, Number.MAX_SAFE_INTEGER) }), 100_000),
  /** A Portfile job's distfiles (relative to DISTDIR), by content hash; a pkgsrc job's are in its part. */
  distfiles: array(portEntryShape, 100_000),
  /** Set for a pkgsrc tree; a Portfile job needs nothing beyond its port and distfiles. */
  pkgsrc: nullable(pkgsrcPartShape),
});
export type JobSpec = ShapeType<typeof jobSpecShape>;

/**
 * One port to scan on the host (pbulk's scan clients). `portfile`: the files
 * the scan may read, by content hash, relative to the tree (the port's
 * directory and the tree's files outside any port); the agent lays them out
 * and scans with kiln's Portfile driver. `pkgsrc`: the tree is the host's
 * copy of the coordinator's, named by its revision.
 */
export const scanSpecShape = tagged('kind', {
  portfile: object({ kind: literal('portfile'), pkgpath: string(4096), files: array(portEntryShape, 1_000_000), timeoutS: number(1, 86400) }),
  /** A pkgsrc port, scanned in the host's copy of the tree (made ready at connect) with the kit as PREFIX. */
  pkgsrc: object({
    kind: literal('pkgsrc'), pkgpath: string(4096), tree: hash, kit: object({ hash, prefix: string(1024) }), make: string(4096), timeoutS: number(1, 86400),
  }),
});
export type ScanSpec = ShapeType<typeof scanSpecShape>;
// A JobSpec carries a BuildJob's metadata unchanged.
const _metadataFits: PackageMetadata = {} as JobSpec['metadata'];
void _metadataFits;

export const downShape = tagged('t', {
  hello: object({ t: literal('hello'), protocol: integer(0, 1e6), owner: matching(/^[0-9a-f]{16,64}$/, 'an owner id'), idleTimeoutS: number(1, 86400) }),
  ping: object({ t: literal('ping'), seq: integer(0, Number.MAX_SAFE_INTEGER) }),
  /** A chunk of a file the agent asked for; `end` on its last chunk. */
  blob: object({ t: literal('blob'), hash, end: boolean }),
  /** The coordinator cannot send a file the agent asked for. */
  'blob-missing': object({ t: literal('blob-missing'), hash, reason: text }),
  startup: object({ t: literal('startup'), hash, timeoutS: number(1, 86400) }),
  /** Before any pkgsrc job: can this host run the kit's make (its arch, its libc)? */
  'kit-check': object({ t: literal('kit-check'), hash, prefix: string(1024), make: string(4096) }),
  /** Before any pkgsrc job: lay out the tree whose manifest (a JSON list of port entries) has this hash, once per host. */
  tree: object({ t: literal('tree'), hash }),
  job: object({ t: literal('job'), id: jobId, job: jobSpecShape }),
  /** Ends a job or a scan. */
  cancel: object({ t: literal('cancel'), id: jobId }),
  scan: object({ t: literal('scan'), id: jobId, scan: scanSpecShape }),
  bye: object({ t: literal('bye') }),
});
export type Down = ShapeType<typeof downShape>;

const phaseTiming = object({ phase: name, wallS: number(0, 1e9), cpuS: number(0, 1e9) });
export const outcomeShape = tagged('kind', {
  built: object({ kind: literal('built'), phases: array(phaseTiming, 1000) }),
  failed: object({ kind: literal('failed'), phase: name, error: text, phases: array(phaseTiming, 1000) }),
  infrastructure: object({ kind: literal('infrastructure'), reason: text }),
});
const _outcomeFits: JobOutcome = {} as ShapeType<typeof outcomeShape>;
void _outcomeFits;

export const hostFactsShape = object({
  protocol: integer(0, 1e6),
  arch: name,
  os: name,
  osRelease: name,
  node: name,
  cores: integer(0, 1e6),
  memoryMiB: integer(0, 1e12),
  diskFreeMiB: integer(0, 1e15),
  bwrap: object({ ok: boolean, detail: text }),
  /** Whether the build user can reach the agent's job directories. */
  workDir: object({ ok: boolean, detail: text }),
  /** Processes of earlier sessions of this coordinator the agent ended on start. */
  leftoversEnded: integer(0, 1e9),
});
export type HostFacts = ShapeType<typeof hostFactsShape>;

const seconds = number(0, 1e9);
/** The largest index a scan may send back (a scan's output is cut at 4 MiB on the host). */
const MAX_INDEX = 8 * 1024 * 1024;
export const scanResultShape = tagged('kind', {
  scanned: object({ kind: literal('scanned'), index: string(MAX_INDEX), seconds }),
  error: object({ kind: literal('error'), error: text, seconds }),
});

export const upShape = tagged('t', {
  /** Bootstrap: this agent version is not cached on the host; send its bytes. */
  'send-agent': object({ t: literal('send-agent') }),
  /** Bootstrap: this host cannot run the agent. */
  refuse: object({ t: literal('refuse'), reason: text }),
  ready: object({ t: literal('ready'), protocol: integer(0, 1e6) }),
  facts: object({ t: literal('facts'), facts: hostFactsShape }),
  pong: object({ t: literal('pong'), seq: integer(0, Number.MAX_SAFE_INTEGER) }),
  /** Files the agent does not have; the coordinator sends each once. */
  need: object({ t: literal('need'), hashes: array(hash, 1_000_000) }),
  'startup-done': object({ t: literal('startup-done'), ok: boolean, detail: text }),
  'kit-checked': object({ t: literal('kit-checked'), ok: boolean, detail: text }),
  'tree-ready': object({ t: literal('tree-ready'), ok: boolean, detail: text }),
  phase: object({ t: literal('phase'), id: jobId, phase: name }),
  /** The job writes more than its log cap keeps: it is alive though its log stays the same size. */
  alive: object({ t: literal('alive'), id: jobId }),
  /** Bytes appended to the job's whole log (raw bytes follow). */
  log: object({ t: literal('log'), id: jobId }),
  /** A chunk of the built package or of a per-phase log; `end` on its last chunk. */
  file: object({ t: literal('file'), id: jobId, kind: oneOf('package', 'log'), name, end: boolean }),
  /** `memoryMiB`, `diskMiB`: the job's peak memory and its scratch directory's size at its end, where the builder measured them. */
  done: object({
    t: literal('done'), id: jobId, outcome: outcomeShape, package: nullable(object({ hash, size: integer(0, Number.MAX_SAFE_INTEGER) })),
    memoryMiB: nullable(integer(0, 1e12)), diskMiB: nullable(integer(0, 1e12)),
  }),
  /** The host's load, every few seconds after hello. */
  load: object({
    t: literal('load'), loadPerCore: number(0, 1e6), swapUsed: number(0, 1), memoryFreeMiB: integer(0, 1e12),
    cpuPressure: nullable(number(0, 100)), ioPressure: nullable(number(0, 100)), memoryPressure: nullable(number(0, 100)), diskFreeMiB: nullable(integer(0, 1e12)),
  }),
  /** How a scan ended: the port's pbulk-index blocks, or why there are none. */
  scanned: object({ t: literal('scanned'), id: jobId, result: scanResultShape }),
  /** The agent gives up on the session (bad message, internal error). */
  fault: object({ t: literal('fault'), reason: text }),
});
export type Up = ShapeType<typeof upShape>;
