import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type { PkgPath } from '../core/model.js';
import { cachedIndex, recordScan, type ScanCache, type ScanCacheEntry } from '../ports/scan-cache.js';
import { scannerForArch } from './scan-feed.js';

test("a port scanned for one arch is scanned again for another, and its own arch's scan is reused", async () => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-scan-arch-'));
  try {
    mkdirSync(join(root, 'misc', 'p'), { recursive: true });
    writeFileSync(join(root, 'misc', 'p', 'Portfile'), 'PKGNAME=p-1.0\n');
    const entries = new Map<string, ScanCacheEntry>();
    const cache: ScanCache = {
      get: (pkgpath) => Promise.resolve(entries.get(pkgpath)),
      put: (pkgpath, entry) => Promise.resolve(void entries.set(pkgpath, entry)),
    };
    const driver = { fingerprint: 'portfile-v1', inputs: () => Promise.resolve(['misc/p']) };
    const pkgpath = 'misc/p' as PkgPath;
    await recordScan(cache, scannerForArch(driver, 'x86_64'), root, pkgpath, 'PKGNAME=p-1.0 (x86_64)\n');
    assert.equal(await cachedIndex(cache, scannerForArch(driver, 'x86_64'), root, pkgpath), 'PKGNAME=p-1.0 (x86_64)\n');
    assert.equal(await cachedIndex(cache, scannerForArch(driver, 'aarch64'), root, pkgpath), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
