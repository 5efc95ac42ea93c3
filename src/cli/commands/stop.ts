// `kiln stop`: drains a running build (dpb's stop files). Running jobs
// finish; no new job starts, everywhere or on one host.

import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import { type Command, UsageError, UserError } from '../command.js';

export const stopCommand: Command = {
  name: 'stop',
  summary: 'drain a running build (start no new jobs), everywhere or on one host',
  help: `usage: kiln stop [--logdir DIR] [--host HOST]

Makes DIR/stop (or DIR/stop-HOST): the build started with that --logdir
starts no new jobs (on HOST only, with --host); running jobs finish. Delete
the file to take jobs again. The same command resumes the build later.

  --logdir DIR   the run directory of the build (default: ./logs)
  --host HOST    drain only this host, as named in the hosts file

${exitHelp('0 the stop file was made')}`,
  run(args, io) {
    const { values } = parse(args, { logdir: { type: 'string' }, host: { type: 'string' } });
    const logdir = resolve(io.cwd, values.logdir ?? 'logs');
    if (!existsSync(join(logdir, 'kiln.db'))) throw new UserError(`no kiln run in ${logdir}`);
    const host = values.host;
    if (host !== undefined && !/^[A-Za-z0-9@._:-]+$/.test(host)) throw new UsageError(`--host wants a host name as the hosts file gives it, not ${JSON.stringify(host)}`);
    const file = join(logdir, host === undefined ? 'stop' : `stop-${host}`);
    writeFileSync(file, `made by kiln stop\n`);
    io.stdout.write(`${file}: no new jobs will start${host === undefined ? '' : ` on ${host}`}; delete it to go on\n`);
    return Promise.resolve(0);
  },
};
