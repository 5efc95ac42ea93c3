// What a finished `kiln build` left for a test to compare: each package's
// status and host from report.json, and the package files' contents.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageContents, type PackageContents } from './package-contents.js';

export interface Run {
  readonly code: number | null;
  readonly logdir: string;
  /** The repository's All directory. */
  readonly all: string;
  /** pkgname → status, from report.json. */
  readonly statuses: ReadonlyMap<string, string>;
  /** pkgname → the host it was built on. */
  readonly hosts: ReadonlyMap<string, string>;
  readonly lines: readonly string[];
}

export async function buildResult(logdir: string, all: string, code: number | null, lines: readonly string[]): Promise<Run> {
  const report = JSON.parse(await readFile(join(logdir, 'report.json'), 'utf8')) as { packages: Array<{ pkgname: string; status: string; host: string | null }> };
  return {
    code, logdir, lines, all,
    statuses: new Map(report.packages.map((p) => [p.pkgname, p.status])),
    hosts: new Map(report.packages.flatMap((p) => (p.host ? [[p.pkgname, p.host] as const] : []))),
  };
}

/** Each package file of `all` by name, with what it holds. */
export async function contentsOf(all: string): Promise<Map<string, PackageContents>> {
  const out = new Map<string, PackageContents>();
  for (const file of (await readdir(all)).filter((f) => f.endsWith('.tgz')).sort()) out.set(file, await packageContents(join(all, file)));
  return out;
}
