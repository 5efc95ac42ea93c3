// Small Portfile trees made in a temporary directory, and jobs for them.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { PackageMetadata } from '../../src/job/build-job.js';
import type { BuildJob, DependencyPackage } from '../../src/job/build-job.js';

export interface Workspace {
  readonly root: string;
  readonly tree: string;
  readonly logs: string;
  /** The repository's `All` directory. */
  readonly packages: string;
  readonly scratch: string;
  /** Writes a port: its Portfile and any other files, relative to the port directory. */
  port(pkgpath: string, portfile: string, files?: Record<string, string>): Promise<void>;
  job(pkgpath: string, pkgname: string, more?: Partial<BuildJob>): BuildJob;
  /** The package file of a built job, as a dependency of another. */
  dep(pkgname: string): DependencyPackage;
  cleanup(): Promise<void>;
}

export const metadata: PackageMetadata = {
  comment: 'A test package', categories: 'test', maintainer: 'kiln@example.org',
  homepage: 'https://kiln.example/', license: 'isc', runDepends: [], buildDepends: [],
};

export async function workspace(): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'kiln-e2e-'));
  const ws: Workspace = {
    root,
    tree: join(root, 'tree'),
    logs: join(root, 'logs'),
    packages: join(root, 'packages', 'All'),
    scratch: join(root, 'scratch'),
    async port(pkgpath, portfile, files = {}) {
      const dir = join(ws.tree, pkgpath);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'Portfile'), portfile);
      for (const [name, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), text);
      }
    },
    job(pkgpath, pkgname, more = {}) {
      return {
        pkgname, pkgpath, tree: ws.tree, dependencies: [], makeJobs: 2, timeoutS: 120,
        logDir: join(ws.logs, pkgname), logFile: join(ws.logs, `${pkgname}.log`),
        packageDir: ws.packages, metadata, ...more,
      };
    },
    dep: (pkgname) => ({ pkgname, file: join(ws.packages, `${pkgname}.tgz`) }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  await chmod(root, 0o755);
  await mkdir(ws.scratch, { recursive: true });
  return ws;
}

/** Names in a package file, as GNU tar lists them (an independent reader). */
export function tarList(file: string): string[] {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
}

/** One member of a package file, as GNU tar extracts it. */
export function tarRead(file: string, member: string): string {
  return execFileSync('tar', ['-xzOf', file, member], { encoding: 'utf8' });
}

/** `pid`'s process is gone: no /proc entry, or a zombie nobody reaped yet. */
export function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
