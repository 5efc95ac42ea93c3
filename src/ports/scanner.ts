// The parallel scanner, the same for every tree driver: N scans at once,
// results streamed as they come with progress counts, an optional content
// cache, and closure mode for limited builds (start from some pkgpaths,
// follow each result's ALL_DEPENDS, scan what is new, as pbulk does).

import { performance } from 'node:perf_hooks';

import type { PkgPath } from '../core/model.js';
import { dependencies, type IndexEntry, parseIndex } from '../core/pbulk-index.js';
import type { TreeDriver } from './driver.js';
import { unquoteReasons, unscannableBlock } from './index-block.js';
import { dependencyPkgPath } from './pkgpath.js';
import { cachedIndex, recordScan, type ScanCache, type ScanInputs } from './scan-cache.js';

export interface ScanOptions {
  /** Scans running at once. */
  readonly jobs: number;
  readonly signal: AbortSignal;
  /** Closure mode: these pkgpaths and every port their dependencies reach. Absent: the whole tree. */
  readonly pkgpaths?: readonly PkgPath[];
  readonly cache?: { readonly store: ScanCache; readonly scanner: ScanInputs };
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

async function scanOne(driver: TreeDriver, pkgpath: PkgPath, options: ScanOptions): Promise<Outcome> {
  const started = performance.now();
  const cache = options.cache;
  let index = cache ? await cachedIndex(cache.store, cache.scanner, driver.root, pkgpath) : undefined;
  const cached = index !== undefined;
  if (index === undefined) {
    const result = await driver.scanPort(pkgpath, options.signal);
    if (result.kind === 'error') {
      index = unscannableBlock(pkgpath, result.error);
    } else {
      index = result.index;
      if (cache && !options.signal.aborted) await recordScan(cache.store, cache.scanner, driver.root, pkgpath, index);
    }
  }
  const parsed = parseIndex(index);
  let entries = parsed.entries;
  const bad = parsed.errors[0];
  if (bad || entries.length === 0) {
    index = unscannableBlock(pkgpath, bad ? `its index has a bad line ${bad.line} (${bad.message})` : 'its scan gave no pbulk-index block');
    entries = parseIndex(index).entries;
  }
  const scanError = entries.find((entry) => entry.vars.has('KILN_SCAN_ERROR'))?.vars.get('KILN_SCAN_ERROR');
  const error = scanError === undefined ? undefined : unquoteReasons(scanError).join('; ');
  return { pkgpath, index, entries, error, cached, seconds: (performance.now() - started) / 1000 };
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
  const closure = options.pkgpaths !== undefined;
  const queue: PkgPath[] = [...new Set(options.pkgpaths ?? (await driver.listPorts(options.signal)))];
  let head = 0;
  const seen = new Set(queue);
  const ready: ScannedPort[] = [];
  let running = 0;
  let scanned = 0;
  let cachedCount = 0;
  let errors = 0;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const finished = (outcome: Outcome): void => {
    if (closure) {
      for (const dep of dependencyPkgPaths(outcome.pkgpath, outcome.entries)) {
        if (!seen.has(dep)) {
          seen.add(dep);
          queue.push(dep);
        }
      }
    }
    scanned++;
    if (outcome.cached) cachedCount++;
    if (outcome.error !== undefined) errors++;
    ready.push({ ...outcome, progress: { scanned, total: seen.size, cached: cachedCount, errors } });
  };
  const start = (pkgpath: PkgPath): void => {
    running++;
    scanOne(driver, pkgpath, options)
      .then(finished, (error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        running--;
        wake?.();
      });
  };
  for (;;) {
    if (failure) throw failure.error;
    options.signal.throwIfAborted();
    while (running < options.jobs && head < queue.length) start(queue[head++]!);
    const next = ready.shift();
    if (next) {
      yield next;
      continue;
    }
    if (running === 0 && head === queue.length) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
}
