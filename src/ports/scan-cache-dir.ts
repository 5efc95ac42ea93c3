// The scan cache in a directory: one JSON file per port,
// `<dir>/<category>/<name>.json`, written under a temporary name and renamed,
// so a killed scan leaves no half entry. A file that does not read back as an
// entry is a miss.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { PkgPath } from '../core/model.js';
import { isPkgPath } from './pkgpath.js';
import type { ScanCache, ScanCacheEntry } from './scan-cache.js';

function isEntry(value: unknown): value is ScanCacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['fingerprint'] === 'string' && typeof entry['index'] === 'string' && Array.isArray(entry['inputs'])
    && entry['inputs'].every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === 'string'));
}

export class DirectoryScanCache implements ScanCache {
  constructor(readonly dir: string) {}

  private file(pkgpath: PkgPath): string | undefined {
    return isPkgPath(pkgpath) ? path.join(this.dir, `${pkgpath}.json`) : undefined;
  }

  async get(pkgpath: PkgPath): Promise<ScanCacheEntry | undefined> {
    const file = this.file(pkgpath);
    if (!file) return undefined;
    try {
      const value: unknown = JSON.parse(await readFile(file, 'utf8'));
      return isEntry(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async put(pkgpath: PkgPath, entry: ScanCacheEntry): Promise<void> {
    const file = this.file(pkgpath);
    if (!file) return;
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, file);
  }
}
