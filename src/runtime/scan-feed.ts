// The scan feeding the run: ports are scanned (through the run's scan
// cache) while builds start, and about once a second what was found so far is
// handed to `settle`, which gives the engine the packages already settled.
// Stopped by the user or by the build loop ending first, what was found is
// the scan's result.

import type { IndexEntry } from '../core/formats/pbulk-index.js';
import type { PkgPath } from '../core/model.js';
import type { RunEvent } from '../core/run-events.js';
import type { ScanInputs } from '../ports/scan-cache.js';
import { scanPorts } from '../ports/scanner.js';
import type { RunStore } from '../store/run-store.js';
import type { BuildRunOptions } from './build-run.js';
import type { KillPoints } from './kill-points.js';
import { StoreScanCache } from './scan-cache-store.js';

export type ScanFeedOptions = Pick<BuildRunOptions, 'driver' | 'scanJobs' | 'pkgpaths' | 'clock' | 'sink' | 'arch'>;

/** Seconds between looks at what the scan has found so far, at least; more if resolving takes long. */
const SETTLE_EVERY_S = 1;

/**
 * The driver as the scan cache sees it, with the build's arch in its
 * fingerprint: a port may scan otherwise on another arch (pkgsrc's
 * MACHINE_ARCH, a Portfile asking `uname -m`), so a run directory reused
 * with another `--arch` scans again instead of taking the old arch's blocks.
 */
export function scannerForArch(driver: ScanInputs, arch: string | undefined): ScanInputs {
  if (arch === undefined) return driver;
  return {
    fingerprint: `${driver.fingerprint}:${arch}`,
    inputs: (pkgpath, index) => driver.inputs(pkgpath, index),
    ...(driver.hash !== undefined && { hash: (root: string, input: string) => driver.hash!(root, input) }),
  };
}

export async function scanFeed(
  o: ScanFeedOptions, store: RunStore, emit: (e: RunEvent) => void, point: KillPoints, signal: AbortSignal,
  settle: (entries: readonly IndexEntry[], scanned: ReadonlySet<PkgPath>) => void,
  /** Told of each port as it is scanned (fetches may begin before the port is settled). */
  found?: (pkgpath: PkgPath, entries: readonly IndexEntry[]) => void,
): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let lastProgress = 0;
  let last: RunEvent | undefined;
  const ports = scanPorts(o.driver, {
    jobs: o.scanJobs, signal, cache: { store: new StoreScanCache(store), scanner: scannerForArch(o.driver, o.arch) },
    ...(o.pkgpaths.length > 0 && { pkgpaths: o.pkgpaths }),
    notAPort: (dir, reason) => emit({ type: 'message', at: o.clock.now(), level: 'warning', text: `${dir}: ${reason}` }),
  });
  const scanned = new Set<PkgPath>();
  let settleAt = performance.now() + SETTLE_EVERY_S * 1000;
  let looked = 0;
  let failed: { error: unknown } | undefined;
  // Looked at between ports too: a port that takes long to scan holds back nothing else.
  const timer = setInterval(() => {
    if (failed !== undefined || performance.now() < settleAt || entries.length === looked) return;
    looked = entries.length;
    const began = performance.now();
    try {
      settle(entries, scanned);
    } catch (error) {
      failed = { error }; // the scan loop throws it
    }
    // At most a tenth of the time goes to looking.
    settleAt = performance.now() + Math.max(SETTLE_EVERY_S * 1000, 10 * (performance.now() - began));
  }, 100);
  try {
    for await (const port of ports) {
      if (failed !== undefined) throw failed.error;
      point('scanned-port');
      entries.push(...port.entries);
      scanned.add(port.pkgpath);
      found?.(port.pkgpath, port.entries);
      if (port.error !== undefined) {
        emit({ type: 'message', at: o.clock.now(), level: 'warning', text: `${port.pkgpath}: cannot be scanned: ${port.error}` });
      }
      last = { type: 'scan-progress', at: o.clock.now(), ...port.progress };
      if (last.at - lastProgress >= 0.5 && last.scanned < last.total) {
        lastProgress = last.at;
        o.sink.emit(last);
      }
      if (signal.aborted) break;
    }
  } catch (err) {
    // Stopped (by the user, or because the build loop ended first): what was found is the scan's result.
    if (!signal.aborted) throw err;
  } finally {
    clearInterval(timer);
  }
  if (failed !== undefined) throw failed.error;
  if (last) emit(last);
  return entries;
}
