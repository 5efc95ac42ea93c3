// What a sandbox costs: a no-op port with one dependency through every
// phase with buildPackage, against the same runner programs run directly
// on the host (no bwrap, no scratch layout, no logs). Prints medians and
// 90th percentiles in ms, and the command to rerun it.
//
//   npm run bench:sandbox -- [jobs]

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, machine, release, tmpdir, type } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { BuildJob } from '../src/job/build-job.js';
import { buildPackage } from '../src/sandbox/builder.js';
import { metaFiles } from '../src/sandbox/package-metadata.js';
import { walkStaged } from '../src/sandbox/package-walk.js';
import { writePackage } from '../src/sandbox/package-write.js';
import { INSTALL_DEPENDENCIES, PORTFILE_PHASE } from '../src/sandbox/runner-scripts.js';

const JOBS = Number(process.argv[2] ?? 20);
const PHASES = ['depends', 'build', 'install', 'package'] as const;
const signal = new AbortController().signal;
const loadAtStart = load();

const root = await mkdtemp(join(tmpdir(), 'kiln-bench-'));
await chmod(root, 0o755);
const tree = join(root, 'tree');
const packages = join(root, 'All');
await writePort('devel/dep', 'PKGNAME=dep-1.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo dep > "$DESTDIR$PREFIX/share/dep"; }\n');
await writePort('misc/noop', 'PKGNAME=noop-1.0\nbuild() { :; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo noop > "$DESTDIR$PREFIX/share/noop"; }\n');
const job = (pkgpath: string, pkgname: string, dependencies: BuildJob['dependencies']): BuildJob => ({
  pkgname, pkgpath, tree, dependencies, makeJobs: 1, timeoutS: 60,
  logDir: join(root, 'logs', pkgname), logFile: join(root, 'logs', `${pkgname}.log`), packageDir: packages,
  metadata: { comment: 'bench', categories: 'misc', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [] },
});
const first = await buildPackage(job('devel/dep', 'dep-1.0', []), { signal });
if (first.outcome.kind !== 'built') throw new Error(`cannot build the dependency: ${JSON.stringify(first.outcome)}`);
const noop = job('misc/noop', 'noop-1.0', [{ pkgname: 'dep-1.0', file: join(packages, 'dep-1.0.tgz') }]);

const scratches: [string, string][] = [['tmpdir', tmpdir()], ['/dev/shm', '/dev/shm']];
const sandboxed = new Map<string, number[]>();
const record = (map: Map<string, number[]>, key: string, ms: number): void => {
  map.set(key, [...(map.get(key) ?? []), ms]);
};
const direct = new Map<string, number[]>();
// Interleaved, so a change of load on the machine hits both sides alike.
for (let i = 0; i < JOBS; i++) {
  await directJob();
  for (const [label, scratch] of scratches) {
    const started = performance.now();
    const report = await buildPackage(noop, { signal, scratch });
    record(sandboxed, `job ${label}`, performance.now() - started);
    if (report.outcome.kind !== 'built') throw new Error(`no-op build failed: ${JSON.stringify(report.outcome)}`);
    if (label === 'tmpdir') for (const phase of report.outcome.phases) record(sandboxed, phase.phase, phase.wallS * 1000);
  }
}

const bwrapVersion = execFileSync('bwrap', ['--version'], { encoding: 'utf8' }).trim();
console.log(`kiln sandbox benchmark: ${JOBS} jobs of a no-op port with one dependency; ${bwrapVersion}, ${type()} ${release()} ${machine()}, ${availableParallelism()} cores`);
console.log('wall ms, p50 / p90          sandboxed          direct   sandbox cost (p50)');
for (const phase of PHASES) {
  const s = sandboxed.get(phase) ?? [];
  const d = direct.get(phase);
  const note = phase === 'package' ? '   (kiln\'s packager, outside the sandbox in both)' : '';
  console.log(`  ${phase.padEnd(24)} ${fmt(s).padStart(15)} ${d === undefined ? '-'.padStart(15) : fmt(d).padStart(15)} ${d === undefined ? '' : (p(s, 50) - p(d, 50)).toFixed(1).padStart(10)}${note}`);
}
const jobDirect = direct.get('job tmpdir') ?? [];
for (const [label] of scratches) {
  const s = sandboxed.get(`job ${label}`) ?? [];
  console.log(`  ${`job, scratch ${label}`.padEnd(24)} ${fmt(s).padStart(15)} ${fmt(jobDirect).padStart(15)} ${(p(s, 50) - p(jobDirect, 50)).toFixed(1).padStart(10)}`);
}
console.log('  (direct: the same runner programs with bash on the host, detached, then the same packager; no bwrap, no logs)');
console.log(`load average at start ${loadAtStart}, at end ${load()}: a loaded machine stretches both sides, and the difference with them`);
console.log(`rerun: npm run bench:sandbox -- ${JOBS}`);
await rm(root, { recursive: true, force: true });

async function directJob(): Promise<void> {
  const started = performance.now();
  const scratch = await mkdtemp(join(tmpdir(), 'kiln-bench-direct-'));
  const dirs = { work: join(scratch, 'work'), destdir: join(scratch, 'destdir'), prefix: join(scratch, 'prefix'), home: join(scratch, 'home') };
  for (const dir of Object.values(dirs)) await mkdir(dir);
  const env = { PREFIX: dirs.prefix, HOME: dirs.home, TMPDIR: scratch, PATH: '/usr/bin:/bin', DESTDIR: dirs.destdir, WRKSRC: dirs.work, MAKE_JOBS: '1' };
  const dep = openSync(join(packages, 'dep-1.0.tgz'), 'r');
  record(direct, 'depends', await timed(['-c', INSTALL_DEPENDENCIES, 'kiln-depends', 'dep-1.0', '4'], env, dirs.home, join(scratch, 'r1'), [dep]));
  closeSync(dep);
  const t = performance.now();
  await cp(join(tree, 'misc/noop'), dirs.work, { recursive: true });
  const copyMs = performance.now() - t;
  record(direct, 'build', copyMs + await timed(['-c', PORTFILE_PHASE, 'kiln-build', join(dirs.work, 'Portfile'), 'build'], env, dirs.work, join(scratch, 'r2'), []));
  record(direct, 'install', await timed(['-c', PORTFILE_PHASE, 'kiln-install', join(dirs.work, 'Portfile'), 'install'], env, dirs.work, join(scratch, 'r3'), []));
  const packaged = performance.now();
  const walk = await walkStaged(join(dirs.destdir, dirs.prefix), signal);
  if (!walk.ok) throw new Error(walk.detail);
  const meta = metaFiles({ job: noop, prefix: dirs.prefix, tree: walk.tree, description: '', buildDate: new Date(), dependencySize: 0 });
  const written = await writePackage(join(scratch, 'out'), 'noop-1.0', meta, walk.tree.entries, 0, signal);
  if (!written.ok) throw new Error(written.detail);
  record(direct, 'package', performance.now() - packaged);
  await rm(scratch, { recursive: true, force: true });
  record(direct, 'job tmpdir', performance.now() - started);
}

async function writePort(pkgpath: string, portfile: string): Promise<void> {
  await mkdir(join(tree, pkgpath), { recursive: true });
  await writeFile(join(tree, pkgpath, 'Portfile'), portfile);
}

/** Runs bash with the runner's descriptors, as the sandbox would, and times it. */
function timed(args: string[], env: Record<string, string>, cwd: string, report: string, fds: number[]): Promise<number> {
  const started = performance.now();
  const reportFd = openSync(report, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe', reportFd, ...fds] });
    closeSync(reportFd);
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args[2] ?? 'bash'} exited ${code}`))));
  });
}

function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}

function p(values: readonly number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((percentile / 100) * sorted.length))] ?? NaN;
}

function fmt(values: readonly number[]): string {
  return `${p(values, 50).toFixed(1)} / ${p(values, 90).toFixed(1)}`;
}
