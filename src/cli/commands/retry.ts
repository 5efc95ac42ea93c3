// `kiln retry`: builds a failed port again. Its lock in the lock directory
// (which keeps the failure, and keeps later runs from building the same
// inputs again) is removed; a build running on that lock directory sees it
// within a second and puts the port back in its queue, and a later `kiln
// build` builds it. dpb's way, where deleting the lock does the same.

import { join, resolve } from 'node:path';

import { isPkgPath } from '../../core/pkgpath.js';
import { readLock, removeLock } from '../../runtime/lock-file.js';
import { describeOwner, ownerState } from '../../runtime/process-owner.js';
import { parse } from '../args.js';
import { EXIT, exitHelp } from '../exit-status.js';
import { type Command, UsageError, UserError } from '../command.js';
import { DEFAULT_LOGDIR } from '../run-event-log.js';

const help = `usage: kiln retry [--logdir DIR] [--lockdir DIR] PKGPATH...

Builds the failed ports PKGPATH (category/name) again: removes their locks
from the lock directory. A build running with that lock directory puts them
back in its queue at once (and the ports they kept from building); a later
kiln build builds them even if their inputs did not change. Fix the port
first: a build started by a retry uses the port's files as they are then.
A port being built now cannot be retried.

  --logdir DIR    the run directory whose locks these are (default: ./${DEFAULT_LOGDIR});
                  its lock directory is DIR/locks
  --lockdir DIR   the lock directory, when the build was given --lockdir

${exitHelp('0 every lock was removed; 1 some port has no lock, or is being built')}`;

export const retryCommand: Command = {
  name: 'retry',
  summary: 'build failed ports again: remove their locks',
  help,
  run(args, io) {
    const { values, positionals } = parse(args, { logdir: { type: 'string' }, lockdir: { type: 'string' } });
    if (positionals.length === 0) throw new UsageError('kiln retry wants at least one PKGPATH');
    const bad = positionals.find((p) => !isPkgPath(p));
    if (bad !== undefined) throw new UsageError(`not a pkgpath (category/name): ${JSON.stringify(bad)}`);
    const lockdir = values.lockdir !== undefined ? resolve(io.cwd, values.lockdir) : join(resolve(io.cwd, values.logdir ?? DEFAULT_LOGDIR), 'locks');
    const problems: string[] = [];
    for (const pkgpath of positionals) {
      const file = join(lockdir, pkgpath);
      const lock = readLock(file);
      if (lock.kind === 'none') {
        problems.push(`${pkgpath}: no lock in ${lockdir}: it has not failed there, or was retried already`);
        continue;
      }
      if (lock.kind === 'lock' && lock.fields.get('status') === 'building' && ownerState(lock.owner) !== 'gone') {
        problems.push(`${pkgpath}: is being built now by ${describeOwner(lock.owner)}; nothing to retry`);
        continue;
      }
      try {
        removeLock(file, true);
      } catch (err) {
        problems.push(`${pkgpath}: cannot remove ${file}: ${(err as Error).message}`);
        continue;
      }
      const what = lock.kind === 'lock' ? `${lock.fields.get('pkgname') ?? pkgpath} (${lock.fields.get('status')} in ${lock.fields.get('phase') ?? '?'}: ${lock.fields.get('error') ?? '?'})` : `an unreadable lock`;
      io.stdout.write(`${pkgpath}: removed ${file}, ${what}; it will be built again\n`);
    }
    if (problems.length > 0) throw new UserError(problems.join('\nkiln: '), EXIT.failed);
    return Promise.resolve(0);
  },
};
