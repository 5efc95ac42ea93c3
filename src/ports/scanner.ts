// The parallel scanner, the same for every tree driver: N scans at once,
// results streamed as they come with progress counts, an optional content
// cache, and closure mode for limited builds (start from some pkgpaths,
// follow each result's ALL_DEPENDS, scan what is new, as pbulk does).

import { performance } from 'node:perf_hooks';

import type { PkgPath } from '../core/model.js';
import { dependencies, type IndexEntry, parseIndex } from '../core/formats/pbulk-index.js';
import type { NotAPort, TreeDriver } from './driver.js';
import { unquoteReasons, unscannableBlock } from './index-block.js';
import { dependencyPkgPath } from '../core/pkgpath.js';
import { cachedIndex, recordScan, type ScanCache, type ScanInputs } from './scan-cache.js';

export interface ScanOptions {
  /** Scans running at once. */
  readonly jobs: number;
  readonly signal: AbortSignal;
  /** Closure mode: these pkgpaths and every port their dependencies reach. Absent: the whole tree. */
  readonly pkgpaths?: readonly PkgPath[];
  readonly cache?: { readonly store: ScanCache; readonly scanner: ScanInputs };
  /** Told of each directory of the tree that looks like a port but cannot be one (whole-tree scans). */
  readonly notAPort?: NotAPort;
  /** Told of every port a whole-tree scan will give, before the first is scanned. */
  readonly listed?: (pkgpaths: readonly PkgPath[]) => void;
}

export interface ScanProgress {
  /** Ports scanned so far (cache hits included), of `total` known so far. */
  readonly scanned: number;
  readonly total: number;
  readonly cached: number;
  readonly errors: number;
}

export interface ScannedPort {
  readonly pkgpath: PkgPath;
  /** Its pbulk-index blocks; a port that could not be scanned has one with KILN_SCAN_ERROR. */
  readonly index: string;
  readonly entries: readonly IndexEntry[];
  /** Why the port could not be scanned; undefined when it was. */
  readonly error: string | undefined;
  readonly cached: boolean;
  readonly seconds: number;
  /** Counts including this port. */
  readonly progress: ScanProgress;
}

type Outcome = Omit<ScannedPort, 'progress'>;

/** Cache checks at once: they only read small files, so they need not wait for scan slots. */
const LOOKUPS = 16;

/** A port's result from its index text: parsed, and turned into an unscannable block if the parser rejects it. */
function outcomeOf(pkgpath: PkgPath, text: string, cached: boolean, seconds: number): Outcome {
  let index = text;
  const parsed = parseIndex(index);
  let entries = parsed.entries;
  const bad = parsed.errors[0];
  if (bad || entries.length === 0) {
    index = unscannableBlock(pkgpath, bad ? `its index has a bad line ${bad.line} (${bad.message})` : 'its scan gave no pbulk-index block');
    entries = parseIndex(index).entries;
  }
  const scanError = entries.find((entry) => entry.vars.has('KILN_SCAN_ERROR'))?.vars.get('KILN_SCAN_ERROR');
  const error = scanError === undefined ? undefined : unquoteReasons(scanError).join('; ');
  return { pkgpath, index, entries, error, cached, seconds };
}

/** The pkgpaths a port's blocks depend on, normalised against the tree; entries that leave it are skipped. */
export function dependencyPkgPaths(pkgpath: PkgPath, entries: readonly IndexEntry[]): PkgPath[] {
  const found = new Set<PkgPath>();
  for (const entry of entries) {
    for (const dep of dependencies(entry).deps) {
      const target = dependencyPkgPath(pkgpath, dep.dir);
      if (target !== undefined) found.add(target);
    }
  }
  return [...found];
}

export async function* scanPorts(driver: TreeDriver, options: ScanOptions): AsyncGenerator<ScannedPort> {
  const { cache, signal } = options;
  const closure = options.pkgpaths !== undefined;
  const seen = new Set<PkgPath>();
  // Two lanes: cache checks (when there is a cache), then real scans, each with its own limit.
  const toCheck: PkgPath[] = [];
  const toScan: PkgPath[] = [];
  let checkHead = 0;
  let scanHead = 0;
  let checking = 0;
  let scanning = 0;
  let recording = 0;
  const ready: ScannedPort[] = [];
  const counts = { scanned: 0, cached: 0, errors: 0 };
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const fail = (error: unknown): void => {
    failure ??= { error };
  };
  const settle = (): void => wake?.();
  const enqueue = (pkgpath: PkgPath): void => {
    if (seen.has(pkgpath)) return;
    seen.add(pkgpath);
    (cache ? toCheck : toScan).push(pkgpath);
  };
  const finished = (outcome: Outcome): void => {
    if (closure) dependencyPkgPaths(outcome.pkgpath, outcome.entries).forEach(enqueue);
    counts.scanned++;
    if (outcome.cached) counts.cached++;
    if (outcome.error !== undefined) counts.errors++;
    ready.push({ ...outcome, progress: { ...counts, total: seen.size } });
  };
  const check = (pkgpath: PkgPath, store: ScanCache, scanner: ScanInputs): void => {
    const started = performance.now();
    checking++;
    cachedIndex(store, scanner, driver.root, pkgpath)
      .then((index) => {
        if (index === undefined) toScan.push(pkgpath);
        else finished(outcomeOf(pkgpath, index, true, (performance.now() - started) / 1000));
      }, fail)
      .finally(() => {
        checking--;
        settle();
      });
  };
  const scan = (pkgpath: PkgPath): void => {
    scanning++;
    driver.scanPort(pkgpath, signal)
      .then((result) => {
        if (result.kind === 'error') {
          finished(outcomeOf(pkgpath, unscannableBlock(pkgpath, result.error), false, result.seconds));
          return;
        }
        finished(outcomeOf(pkgpath, result.index, false, result.seconds));
        if (cache && !signal.aborted) {
          // Written after the slot is free: the next scan need not wait for the disk.
          // A cache that cannot be written costs speed, never the scan.
          recording++;
          recordScan(cache.store, cache.scanner, driver.root, pkgpath, result.index).catch(() => undefined).finally(() => {
            recording--;
            settle();
          });
        }
      }, fail)
      .finally(() => {
        scanning--;
        settle();
      });
  };
  if (options.pkgpaths) options.pkgpaths.forEach(enqueue);
  else {
    const listed = await driver.listPorts(signal, options.notAPort);
    listed.forEach(enqueue);
    options.listed?.([...seen]);
  }
  for (;;) {
    if (failure) throw failure.error;
    signal.throwIfAborted();
    while (cache && checking < LOOKUPS && checkHead < toCheck.length) check(toCheck[checkHead++]!, cache.store, cache.scanner);
    while (scanning < options.jobs && scanHead < toScan.length) scan(toScan[scanHead++]!);
    const next = ready.shift();
    if (next) {
      yield next;
      continue;
    }
    if (checking + scanning + recording === 0 && checkHead === toCheck.length && scanHead === toScan.length) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
}
