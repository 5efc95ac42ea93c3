// What kiln's packager costs on a port with many small files (texlive has
// tens of thousands): the real `package` phase (packagePhase: the walk of
// $DESTDIR$PREFIX with lstat and O_NOFOLLOW, an md5 per file, +CONTENTS,
// the gzip'd tar written and synced) against `tar czf` of the same tree.
// Prints the medians and kiln's time over tar's.
//
//   npm run bench:package -- [files] [runs]

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, machine, release, tmpdir, type } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { BuildJob } from '../src/job/build-job.js';
import { JobLog } from '../src/sandbox/job-log.js';
import { packagePhase } from '../src/sandbox/package-phase.js';
import type { JobContext } from '../src/sandbox/recipe.js';
import { defaultSandboxConfig } from '../src/sandbox/sandbox-config.js';

const FILES = Number(process.argv[2] ?? 20_000);
const RUNS = Number(process.argv[3] ?? 5);
const PREFIX = '/opt/kiln';
const PER_DIR = 40;

const root = await mkdtemp(join(tmpdir(), 'kiln-bench-package-'));
const staged = join(root, 'destdir', PREFIX);
for (let i = 0; i < FILES; i++) {
  const dir = join(staged, 'share', `d${Math.floor(i / PER_DIR)}`);
  if (i % PER_DIR === 0) await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `f${i}.tex`), `% file ${i}\n${'\\relax\n'.repeat(20 + (i % 200))}`);
}

const job: BuildJob = {
  pkgname: 'many-1.0', pkgpath: 'misc/many', tree: join(root, 'tree'), dependencies: [], makeJobs: 1, timeoutS: 0,
  logDir: root, logFile: join(root, 'package.log'), packageDir: join(root, 'All'),
  metadata: { comment: 'bench', categories: 'misc', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [] },
};
const jobLog = await JobLog.open(job);
await jobLog.phase('package', 'bench', new Date());
const log = jobLog;
const ctx: JobContext = {
  job,
  prefix: PREFIX,
  scratch: { root, work: join(root, 'work'), destdir: join(root, 'destdir'), prefix: join(root, 'prefix'), home: root, tmp: root, reports: root },
  config: defaultSandboxConfig(),
  cgroup: undefined,
};

const kiln: number[] = [];
const tar: number[] = [];
const signal = new AbortController().signal;
// Interleaved, so a change of load on the machine hits both alike.
for (let run = 0; run < RUNS; run++) {
  let started = performance.now();
  const result = await packagePhase(ctx, log, signal);
  kiln.push(performance.now() - started);
  if (!result.ok) throw new Error(`packaging failed: ${JSON.stringify(result.failure)}`);
  started = performance.now();
  execFileSync('tar', ['czf', join(root, 'tar.tgz'), '-C', staged, '.']);
  execFileSync('sync', ['-f', join(root, 'tar.tgz')]);
  tar.push(performance.now() - started);
}
await jobLog.close();
await rm(root, { recursive: true, force: true });

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`kiln package benchmark: ${FILES} files in ${Math.ceil(FILES / PER_DIR)} directories, ${RUNS} runs; ${type()} ${release()} ${machine()}, ${availableParallelism()} cores`);
console.log(`kiln package phase  median ${(median(kiln) / 1000).toFixed(2)} s  (runs: ${kiln.map((ms) => (ms / 1000).toFixed(2)).join(' ')})`);
console.log(`tar czf + sync      median ${(median(tar) / 1000).toFixed(2)} s  (runs: ${tar.map((ms) => (ms / 1000).toFixed(2)).join(' ')})`);
console.log(`kiln / tar          ${(median(kiln) / median(tar)).toFixed(1)}`);
console.log(`rerun: npm run bench:package -- ${FILES} ${RUNS}`);
