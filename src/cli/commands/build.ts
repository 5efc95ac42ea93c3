// `kiln build`: the bulk build. Picks the concrete parts (tree driver,
// executors, reporters, policies) and maps the outcome to an exit status.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { parseLogCap } from '../../core/job/log-cap.js';
import { parseHistoryCsv } from '../../core/formats/history-csv.js';
import type { HistoryRecord } from '../../core/formats/history-csv.js';
import type { PkgPath } from '../../core/model.js';
import { policySet } from '../../core/policies/policy-set.js';
import { isPkgPath } from '../../core/pkgpath.js';
import { unreachable } from '../../core/unreachable.js';
import { killPoints, type KillPoints } from '../../runtime/kill-points.js';
import { BUBBLEWRAP, toolProblem } from '../../runtime/preflight.js';
import { defaultSandboxConfig } from '../../sandbox/sandbox-config.js';
import { StoreError } from '../../store/run-store.js';
import { buildRun } from '../../runtime/build-run.js';
import { systemClock } from '../../runtime/clock.js';
import { integer, MAX_SECONDS, MAX_SLOTS, parse } from '../args.js';
import { EXIT, EXIT_HELP } from '../exit-status.js';
import { type Command, type CommandIO, UsageError, UserError } from '../command.js';
import { OPERATOR_HELP, OPERATOR_OPTIONS, operatorReporters } from '../operator-wiring.js';
import { DEFAULT_LOGDIR } from '../run-event-log.js';
import { openBuildStores } from '../build-stores.js';
import { CLUSTER_HELP, CLUSTER_OPTIONS, type ClusterValues, clusterHosts } from '../cluster-wiring.js';
import { openTreeKind } from '../trees/open-tree.js';
import { DRIVER_HELP, DRIVER_OPTIONS, type TreeBuild, type TreeKind } from '../trees/tree-kind.js';
import { FETCH_HELP, FETCH_OPTIONS, fetchSettings } from '../fetch-wiring.js';
import { distfileLister } from '../../runtime/distfile-lister.js';
import type { FetchSettings } from '../../runtime/fetch-source.js';
import { checkPorts, checkTreeDir, checkWritableDir } from '../tree-check.js';
import { ARCH_NAME, coordinatorArch } from '../../exec/host-arch.js';
import { randomOrder } from '../../core/policies/priority-random.js';
import { RANDOM_HELP, takeRandomSeed } from '../random-option.js';

const help = `usage: kiln build [--tree DIR] [--jobs N] [--hosts FILE] [--logdir DIR] [--packages DIR] [options] [PKGPATH...]

Builds every port of the tree, or the listed PKGPATHs (category/name) and
everything they need, each in a clean sandbox holding only its
dependencies, and leaves the packages in DIR/All and the logs and reports
in the run directory. Run it again with the same arguments: an unfinished
run resumes where it stopped; a finished one is followed by a new run.
Either way a package whose port files and dependencies are unchanged is
up to date and not built again, nor is a port that failed with the same
inputs (its lock in the lock directory says why; delete it to retry).

options:
  --tree DIR        the ports tree (default: the current directory)
${DRIVER_HELP}
${FETCH_HELP}  --jobs N          jobs at once on this machine without --hosts, and scans at
                    once here (default: the number of cores)
  --logdir DIR      the run directory: logs, reports, the run's store (default: ./${DEFAULT_LOGDIR})
  --packages DIR    the repository; packages go to DIR/All (default: ./packages)
  --cores N         cores shared as make jobs on this machine (default: the
                    larger of --jobs and the number of cores); jobs on the
                    critical path get more
  --history FILE    prime an empty build history from a recorded one (bob's
                    CSV, plain or gzip'ed), so the first run is ordered well
  --timeout S       kill a job after S seconds (default: 10 times its recorded
                    time, at least an hour; a day for a port never built)
  --scan-timeout S  kill a port's scan after S seconds (default 30; pkgsrc 120):
                    the port then fails, saying so
  --stuck-after S   kill a job whose log has not grown for S seconds, as stuck
                    (default: half its recorded time, 10 minutes to 2 hours;
                    an hour for a port never built)
  --log-cap SIZE    keep at most SIZE of a job's output in its log (256M, 1G,
                    bytes; default 256M): the rest is left out, the log says
                    where it was cut, and the job is still judged by its exit
  --force PKGPATH   build PKGPATH even if its package is up to date (repeat
                    for more); what depends on it is rebuilt only if its
                    package's content changes
  --rebuild-all     build every port, up to date or not
  --arch ARCH       build for ARCH (pkgsrc's MACHINE_ARCH: x86_64, aarch64,
                    i386, ...) on the hosts that are ARCH; a host of another
                    architecture is refused (default: this machine's)
${RANDOM_HELP}  --lockdir DIR     the port locks, shared by every build that should not
                    build a port at the same time as this one (default:
                    DIR/locks of --logdir); kiln retry PKGPATH builds a
                    failed port again
${CLUSTER_HELP}${OPERATOR_HELP}
${EXIT_HELP}`;

async function run(given: string[], io: CommandIO): Promise<number> {
  const { args: rest, seed } = takeRandomSeed(given);
  const { values, positionals } = parse(rest, {
    tree: { type: 'string' }, jobs: { type: 'string' }, logdir: { type: 'string' }, packages: { type: 'string' },
    timeout: { type: 'string' }, 'scan-timeout': { type: 'string' }, cores: { type: 'string' }, history: { type: 'string' }, distdir: { type: 'string' },
    ...DRIVER_OPTIONS, ...CLUSTER_OPTIONS, ...OPERATOR_OPTIONS, ...FETCH_OPTIONS,
    'stuck-after': { type: 'string' }, 'log-cap': { type: 'string' }, force: { type: 'string', multiple: true }, 'rebuild-all': { type: 'boolean' }, lockdir: { type: 'string' }, arch: { type: 'string' },
  });
  const force = values.force ?? [];
  const badForce = force.find((p) => !isPkgPath(p));
  if (badForce !== undefined) throw new UsageError(`--force wants a pkgpath (category/name), not ${JSON.stringify(badForce)}`);
  const bad = positionals.find((p) => !isPkgPath(p));
  if (bad !== undefined) throw new UsageError(`not a pkgpath (category/name): ${JSON.stringify(bad)}`);
  const tree = resolve(io.cwd, values.tree ?? '.');
  const logdir = resolve(io.cwd, values.logdir ?? DEFAULT_LOGDIR);
  const repository = resolve(io.cwd, values.packages ?? 'packages');
  const jobs = integer(values.jobs, 'jobs', availableParallelism(), 1, MAX_SLOTS);
  const timeoutS = values.timeout === undefined ? undefined : integer(values.timeout, 'timeout', 0, 0, MAX_SECONDS);
  const scanTimeoutS = values['scan-timeout'] === undefined ? undefined : integer(values['scan-timeout'], 'scan-timeout', 1, 1, MAX_SECONDS);
  const cores = integer(values.cores, 'cores', Math.max(jobs, availableParallelism()), 1, MAX_SLOTS);
  const primeHistory = values.history === undefined ? [] : readHistory(resolve(io.cwd, values.history), io);
  const durable: DurableSettings = {
    stuckAfterS: values['stuck-after'] === undefined ? undefined : integer(values['stuck-after'], 'stuck-after', 1, 1, MAX_SECONDS),
    logCapBytes: logCap(values['log-cap']),
    lockdir: values.lockdir === undefined ? undefined : resolve(io.cwd, values.lockdir),
    force, rebuildAll: values['rebuild-all'] === true, killPoints: killPointsOf(io),
  };
  const fetch = fetchSettings(values, tree, io.cwd, io.env);
  const arch = values.arch ?? coordinatorArch();
  if (!ARCH_NAME.test(arch)) throw new UsageError(`--arch wants an architecture name such as x86_64 or aarch64, not ${JSON.stringify(arch)}`);
  const missing = toolProblem(BUBBLEWRAP);
  if (missing !== undefined) throw new UserError(`cannot build here: ${missing}`);
  checkTreeDir(tree);
  checkWritableDir(logdir, '--logdir');
  checkWritableDir(repository, '--packages');
  if (durable.lockdir !== undefined) checkWritableDir(durable.lockdir, '--lockdir');

  const kind = await openTreeKind(tree, values, { cwd: io.cwd, env: io.env, signal: io.signal, ...(scanTimeoutS !== undefined && { timeoutS: scanTimeoutS }) });
  if (kind.notice !== undefined) io.stderr.write(`kiln: warning: ${kind.notice}\n`);
  try {
    await checkPorts(kind.driver, positionals, io.signal);
    const wiring = kind.forBuild({ repository, logdir, distdir: fetch.distdir, io });
    return await runBuild({ ...values, tree, logdir, repository, jobs, timeoutS, scanTimeoutS, cores, primeHistory, positionals, args: given, durable, fetch, arch, seed }, kind, wiring, io);
  } finally {
    await kind.close();
  }
}

interface BuildSettings {
  readonly tree: string; readonly logdir: string; readonly repository: string; readonly jobs: number;
  readonly timeoutS: number | undefined; readonly scanTimeoutS: number | undefined; readonly cores: number; readonly primeHistory: HistoryRecord[];
  readonly positionals: string[]; readonly args: string[]; readonly durable: DurableSettings;
  readonly fetch: FetchSettings;
  /** The architecture the run builds for. */
  readonly arch: string;
  /** `--random SEED`: the seed of the random order; undefined: kiln's order. */
  readonly seed: number | undefined;
}

/** What keeps work from being lost or done twice: the stuck limit, the lock directory, what to build even if current. */
interface DurableSettings {
  readonly stuckAfterS: number | undefined; readonly logCapBytes: number | undefined; readonly lockdir: string | undefined;
  readonly force: readonly PkgPath[]; readonly rebuildAll: boolean; readonly killPoints: KillPoints | undefined;
}

/** `--log-cap SIZE` in bytes; undefined: the default. */
function logCap(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseLogCap(value);
  if (bytes === undefined) throw new UsageError(`--log-cap wants a size of at least 1K (256M, 1G, or bytes), not ${JSON.stringify(value)}`);
  return bytes;
}

/** KILN_KILL_AT, for the fault-injection tests (runtime/kill-points.ts). */
function killPointsOf(io: CommandIO): KillPoints | undefined {
  try {
    return killPoints(io.env['KILN_KILL_AT']);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

async function runBuild(settings: BuildSettings & Parameters<typeof operatorReporters>[0] & ClusterValues, kind: TreeKind,
  wiring: TreeBuild, io: CommandIO): Promise<number> {
  const { logdir, repository, jobs, timeoutS, cores, positionals, args, durable, arch, seed } = settings;
  const cluster = await clusterHosts(settings, io, { logdir, jobs, cores, scanTimeoutS: settings.scanTimeoutS ?? kind.remoteScanTimeoutS, tree: kind.driver, build: wiring.build, remote: wiring.remote, buildArch: arch, localProblem: wiring.localProblem });
  const reporters = await operatorReporters(settings, io, logdir).catch(async (err: unknown) => { await cluster.close(); throw err; });
  if (reporters.url) io.stderr.write(`kiln: the live page is at ${reporters.url}\n`);
  try {
    const outcome = await buildRun({
      driver: cluster.scan.driver, logdir, repository, pkgpaths: positionals, scanJobs: cluster.scan.jobs, sink: reporters.sink,
      showWaiting: (record) => reporters.showWaiting(record),
      clock: systemClock, signal: io.signal, args, arch, timeoutS, primeHistory: settings.primeHistory,
      hosts: cluster.hosts, roster: cluster.roster,
      stuckAfterS: durable.stuckAfterS, logCapBytes: durable.logCapBytes, force: durable.force, rebuildAll: durable.rebuildAll, killPoints: durable.killPoints,
      scratchBase: defaultSandboxConfig().scratchBase, ...(durable.lockdir !== undefined && { lockdir: durable.lockdir }),
      engine: { ...(seed === undefined ? policySet('kiln', true) : randomOrder(seed)), maxAttempts: 3 },
      ...(seed !== undefined && { notes: [`random order, seed ${seed} (kiln build --random ${seed} builds in the same order)`] }),
      writeIndex: wiring.writeIndex, openStores: openBuildStores,
      fetch: settings.fetch, fetchLister: distfileLister(kind.driver, settings.fetch.override),
    });
    const scannedBy = cluster.scan.pool?.scannedBy();
    if (scannedBy) io.stderr.write(`kiln: ports scanned ${[...scannedBy].map(([host, n]) => `on ${host}: ${n}`).join(', ')}\n`);
    switch (outcome.result) {
      case 'interrupted': return 130;
      case 'stopped': return 3;
      case 'no-host': return EXIT.noHost;
      case 'complete': return outcome.counts.byStatus.failed > 0 ? 1 : 0;
      default: return unreachable(outcome.result);
    }
  } catch (err) {
    if (err instanceof StoreError) throw new UserError(err.message);
    throw err;
  } finally {
    await cluster.close();
    try {
      await reporters.close(systemClock.now());
    } catch (err) {
      // A full or read-only run directory: the run's store has the truth, the reports are written next time.
      io.stderr.write(`kiln: cannot write the reports in ${logdir}: ${(err as Error).message}\n`);
    }
  }
}

/** A recorded history (bob's CSV); rows it cannot read are named on stderr and left out. */
function readHistory(file: string, io: CommandIO): HistoryRecord[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  } catch (err) {
    throw new UserError(`cannot read the history ${file}: ${(err as Error).message}`);
  }
  const { records, problems } = parseHistoryCsv(bytes.toString('utf8'));
  for (const p of problems.slice(0, 10)) io.stderr.write(`kiln: ${file}:${p.line}: ${p.reason}\n`);
  if (problems.length > 10) io.stderr.write(`kiln: ${file}: ${problems.length - 10} more rows left out\n`);
  return records;
}

export const buildCommand: Command = { name: 'build', summary: 'build a whole tree, or some ports and what they need', help, run };
