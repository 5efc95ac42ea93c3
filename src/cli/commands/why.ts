// `kiln why PKGPATH`: why a queued or waiting package has not started: its
// dependencies not built yet (from the run's statuses), or else as the
// running build's engine last said it (the run's store, written every few
// seconds); the status of a package that is not waiting.

import { join, resolve } from 'node:path';

import { isPkgPath } from '../../core/pkgpath.js';
import { readLock } from '../../runtime/lock-file.js';
import { ownerState } from '../../runtime/process-owner.js';
import { RUN_LOCK } from '../../runtime/run-lock.js';
import { parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import { type Command, UsageError, UserError } from '../command.js';
import { DEFAULT_LOGDIR, openRunStore } from '../run-event-log.js';
import { clockTime, printable } from '../../report/view/text-format.js';
import { parseWaiting, WAITING_KEY } from '../../store/waiting-record.js';
import { dependencyWait } from '../../report/view/waiting.js';

export const whyCommand: Command = {
  name: 'why',
  summary: 'why a queued or waiting package has not started',
  help: `usage: kiln why PKGPATH [--logdir DIR]

Says why the build in DIR has not started PKGPATH yet: its dependencies
still building (named), its pkgpath locked by another run, its hosts
drained, quarantined or down, every slot busy, the hosts' memory or load,
a slot kept for a job on the critical path, or the disk short of space.
A package that does not wait gets its status.

  --logdir DIR   the run directory of the build (default: ./${DEFAULT_LOGDIR})

${exitHelp('0 the answer was printed')}`,
  run(args, io) {
    const { values, positionals } = parse(args, { logdir: { type: 'string' } });
    const [pkgpath, ...more] = positionals;
    if (pkgpath === undefined || more.length > 0) throw new UsageError('kiln why wants one PKGPATH (category/name)');
    if (!isPkgPath(pkgpath)) throw new UsageError(`${JSON.stringify(pkgpath)} is not a pkgpath (category/name)`);
    const logdir = resolve(io.cwd, values.logdir ?? DEFAULT_LOGDIR);
    io.stdout.write(`${answer(logdir, pkgpath)}\n`);
    return Promise.resolve(0);
  },
};

function answer(logdir: string, pkgpath: string): string {
  const store = openRunStore(logdir);
  try {
    const run = store.latestRun();
    if (run === undefined) throw new UserError(`no kiln run in ${logdir}`);
    // A killed build leaves its last reasons and its lock behind: they are the truth only while it runs.
    const running = buildRunning(logdir);
    const waiting = running ? parseWaiting(store.get(WAITING_KEY)) : undefined;
    const open = waiting?.run === run.id ? waiting.open[pkgpath] : undefined;
    if (open !== undefined) return `${pkgpath} (${printable(open.pkgname)}) ${printable(open.reason)} (as of ${clockTime(waiting!.at)})`;
    const packages = store.packagesAt(run.id, pkgpath);
    if (packages.length === 0) throw new UserError(`${pkgpath} is not among the packages of run ${run.id} in ${logdir} (yet: the scan may still go on)`);
    const statuses = store.statuses(run.id);
    return packages.map(({ pkgname, depends }) => {
      const s = statuses.get(pkgname);
      const head = `${pkgpath} (${printable(pkgname)})`;
      if (s !== undefined && s.status !== 'open') {
        const why = s.reason ?? (s.blockedBy.length > 0 ? `blocked by ${s.blockedBy.join(' ')}` : s.error);
        return `${head} is ${s.status}${why === undefined ? '' : `: ${printable(why)}`}`;
      }
      const dependencies = dependencyWait(depends, (d) => statuses.get(d)?.status);
      if (dependencies !== undefined) return `${head} ${printable(dependencies)}`;
      return !running
        ? `${head} is queued; no kiln build runs in ${logdir} to start it: run the same kiln build again`
        : `${head} is queued; the build has not said why yet: ask again in a few seconds`;
    }).join('\n');
  } finally {
    store.close();
  }
}

/** Whether a kiln build holds the run directory now: its lock names a process that is alive (or on another host). */
function buildRunning(logdir: string): boolean {
  const lock = readLock(join(logdir, RUN_LOCK));
  return lock.kind === 'lock' && ownerState(lock.owner) !== 'gone';
}
