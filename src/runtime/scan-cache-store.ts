// The scan cache kept in the run's store, so `kiln build` in the same run
// directory reuses every port's scan whose files did not change.

import type { PkgPath } from '../core/model.js';
import type { ScanCache, ScanCacheEntry } from '../ports/scan-cache.js';
import type { RunStore } from '../store/run-store.js';

export class StoreScanCache implements ScanCache {
  private readonly store: RunStore;

  constructor(store: RunStore) {
    this.store = store;
  }

  get(pkgpath: PkgPath): Promise<ScanCacheEntry | undefined> {
    return Promise.resolve(this.entry(pkgpath));
  }

  /** The entry of `pkgpath`, at once. */
  entry(pkgpath: PkgPath): ScanCacheEntry | undefined {
    const text = this.store.get(`scan:${pkgpath}`);
    return text === undefined ? undefined : (JSON.parse(text) as ScanCacheEntry);
  }

  put(pkgpath: PkgPath, entry: ScanCacheEntry): Promise<void> {
    this.store.put(`scan:${pkgpath}`, JSON.stringify(entry));
    return Promise.resolve();
  }
}
