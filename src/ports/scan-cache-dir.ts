// The scan cache in a directory: one JSON file per port,
// `<dir>/<category>/<name>.json`, written under a temporary name and renamed,
// so a killed scan leaves no half entry. A file that does not read back as an
// entry is a miss.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { PkgPath } from '../core/model.js';
import { isPkgPath } from '../core/pkgpath.js';
import type { ScanCache, ScanCacheEntry } from './scan-cache.js';

function isEntry(value: unknown): value is ScanCacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['fingerprint'] === 'string' && typeof entry['index'] === 'string' && Array.isArray(entry['inputs'])
    && entry['inputs'].every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === 'string'));
}

export class DirectoryScanCache implements ScanCache {
  private readonly made = new Set<string>();

  constructor(readonly dir: string) {}

  private file(pkgpath: PkgPath): string | undefined {
    return isPkgPath(pkgpath) ? path.join(this.dir, `${pkgpath}.json`) : undefined;
  }

  get(pkgpath: PkgPath): Promise<ScanCacheEntry | undefined> {
    const file = this.file(pkgpath);
    if (!file) return Promise.resolve(undefined);
    try {
      // Synchronous: one small file, read thousands of times in a row (see input-hash.ts).
      const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return Promise.resolve(isEntry(value) ? value : undefined);
    } catch {
      return Promise.resolve(undefined);
    }
  }

  async put(pkgpath: PkgPath, entry: ScanCacheEntry): Promise<void> {
    const file = this.file(pkgpath);
    if (!file) return;
    const dir = path.dirname(file);
    if (!this.made.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.made.add(dir);
    }
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, file);
  }
}
