// Coordinator-side fixtures for executor tests: a small tree of Portfile
// ports, the BuildJob for one of them, dependency packages built for real,
// and a watcher that records what it was told.

import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JobWatcher } from '../../src/exec/executor.js';
import type { BuildJob, DependencyPackage } from '../../src/job/build-job.js';
import { buildPackage } from '../../src/sandbox/builder.js';

export type PortFile = string | Buffer | { readonly content: string | Buffer; readonly mode: number } | { readonly link: string } | { readonly dir: true };

/** Writes `ports` (pkgpath → relative file → content) under `tree`. */
export async function makeTree(tree: string, ports: Readonly<Record<string, Readonly<Record<string, PortFile>>>>): Promise<void> {
  for (const [pkgpath, files] of Object.entries(ports)) {
    const port = join(tree, pkgpath);
    await mkdir(port, { recursive: true });
    for (const [rel, file] of Object.entries(files)) {
      const at = join(port, rel);
      await mkdir(dirname(at), { recursive: true });
      if (typeof file === 'string' || Buffer.isBuffer(file)) await writeFile(at, file);
      else if ('link' in file) await symlink(file.link, at);
      else if ('dir' in file) await mkdir(at, { recursive: true });
      else {
        await writeFile(at, file.content);
        await chmod(at, file.mode);
      }
    }
  }
}

/** The BuildJob for `pkgpath` with its outputs under `out/<pkgname>/`. */
export function jobFor(tree: string, out: string, pkgpath: string, pkgname: string, dependencies: readonly DependencyPackage[] = [],
  extra: Partial<BuildJob> = {}): BuildJob {
  const logDir = join(out, 'logs', pkgname);
  return {
    pkgname,
    pkgpath,
    tree,
    dependencies,
    makeJobs: 2,
    timeoutS: 600,
    logDir,
    logFile: join(out, 'logs', `${pkgname}.log`),
    packageDir: join(out, 'packages'),
    metadata: { comment: 'a test port', categories: pkgpath.split('/')[0] ?? '', maintainer: 'kiln@example.org', homepage: '', license: 'ISC', runDepends: [], buildDepends: [] },
    ...extra,
  };
}

export interface RecordingWatcher extends JobWatcher {
  readonly phases: string[];
  /** Every log size reported, with when (ms since the epoch). */
  readonly logs: Array<{ readonly bytes: number; readonly at: number }>;
  /** Resolves when a phase is reported (or already was). */
  reached(phase: string): Promise<void>;
}

export function recordingWatcher(): RecordingWatcher {
  const phases: string[] = [];
  const logs: Array<{ bytes: number; at: number }> = [];
  const waiting: Array<{ phase: string; resolve: () => void }> = [];
  return {
    phases,
    logs,
    phase(p) {
      phases.push(p);
      for (const w of waiting.filter((x) => x.phase === p)) w.resolve();
    },
    log(bytes) {
      logs.push({ bytes, at: Date.now() });
    },
    reached(phase) {
      if (phases.includes(phase)) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ phase, resolve }));
    },
  };
}

/** Bytes from a seeded generator, every byte value included (newlines, NULs, high bytes). */
export function seededBytes(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/**
 * Builds `pkgpath` of `tree` on this machine with the real sandbox builder
 * and returns its package, for use as a dependency of remote jobs: the same
 * package a local run of kiln would have put into its repository.
 */
export async function buildDependency(tree: string, out: string, pkgpath: string, pkgname: string,
  dependencies: readonly DependencyPackage[] = []): Promise<DependencyPackage> {
  const job = jobFor(tree, out, pkgpath, pkgname, dependencies);
  const report = await buildPackage(job, { signal: new AbortController().signal });
  if (report.outcome.kind !== 'built' || report.packageFile === undefined) {
    throw new Error(`the dependency ${pkgname} did not build: ${JSON.stringify(report.outcome)}`);
  }
  return { pkgname, file: report.packageFile };
}

/** A Portfile: PKGNAME, then the given shell functions (`build`, `install`) with their bodies. */
export function portfile(pkgname: string, functions: Readonly<Record<string, string>> = {}, more = ''): string {
  const bodies = Object.entries(functions).map(([name, body]) => `${name}() {\n${body.replace(/^/gm, '\t')}\n}\n`);
  return [`PKGNAME=${pkgname}\n`, more, ...bodies].join('');
}
