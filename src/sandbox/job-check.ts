// Names from a port's metadata become host paths (`<packageDir>/<pkgname>.tgz`,
// `<tree>/<pkgpath>`): they are checked before anything is touched.

import { isAbsolute } from 'node:path';

import type { BuildJob } from '../job/build-job.js';
import type { StepFailure } from './recipe.js';
import type { SandboxConfig } from './sandbox-config.js';
import { badPrefix } from './sandbox-config.js';

const NAME = /^[^./\s\0-][^/\s\0]*$/;

/** Why `pkgname` cannot name a package file, or undefined. */
export function badPkgname(pkgname: string): string | undefined {
  return NAME.test(pkgname) ? undefined : `${JSON.stringify(pkgname)} cannot be a package name`;
}

export function checkJob(job: BuildJob, prefix: string, config: SandboxConfig): StepFailure | undefined {
  const name = badPkgname(job.pkgname) ?? job.dependencies.map((dep) => badPkgname(dep.pkgname)).find((why) => why !== undefined);
  if (name !== undefined) return { kind: 'failed', error: `invalid pkgname: ${name}` };
  const parts = job.pkgpath.split('/');
  if (isAbsolute(job.pkgpath) || parts.some((part) => part === '' || part === '.' || part === '..' || /[\0\n]/.test(part))) {
    return { kind: 'failed', error: `invalid pkgpath: ${JSON.stringify(job.pkgpath)}` };
  }
  const prefixProblem = badPrefix(prefix, config);
  if (prefixProblem !== undefined) return { kind: 'infrastructure', reason: prefixProblem };
  for (const path of [job.tree, job.logDir, job.logFile, job.packageDir, ...job.dependencies.map((dep) => dep.file)]) {
    if (!isAbsolute(path)) return { kind: 'infrastructure', reason: `${path} is not an absolute path` };
  }
  return undefined;
}
