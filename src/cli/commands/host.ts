// `kiln host add LINE`: a host joins a running build. The line (dpb's hosts
// file format) is checked and appended to `<logdir>/hosts.added`, which the
// build started with that --logdir reads while it runs (and a later run in
// the same directory starts with).

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { formatHostsFileError, parseHostsFile } from '../../exec/hosts-file.js';
import { parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import { ADDED_HOSTS } from '../cluster-wiring.js';
import { type Command, UsageError, UserError } from '../command.js';
import { DEFAULT_LOGDIR, openRunStore } from '../run-event-log.js';

export const hostCommand: Command = {
  name: 'host',
  summary: 'add a host to a running build',
  help: `usage: kiln host add [--logdir DIR] LINE...

Adds a host to the build started with that --logdir: LINE is one line of a
hosts file (\`builder@10.0.0.5 jobs=4 sf=2\`; several arguments are joined
with spaces). The build checks the host, brings it up and gives it jobs
within seconds. The line goes to DIR/${ADDED_HOSTS}; delete it from there to
drain the host again, or use kiln stop --host.

  --logdir DIR   the run directory of the build (default: ./${DEFAULT_LOGDIR})

${exitHelp('0 the host joins the build')}`,
  run(args, io) {
    const { values, positionals } = parse(args, { logdir: { type: 'string' } });
    const [action, ...words] = positionals;
    if (action !== 'add') throw new UsageError(action === undefined ? 'kiln host wants an action: add' : `unknown action '${action}' (known: add)`);
    if (words.length === 0) throw new UsageError('kiln host add wants a hosts file line: NAME [key=value ...]');
    const line = words.join(' ');
    const logdir = resolve(io.cwd, values.logdir ?? DEFAULT_LOGDIR);
    if (!existsSync(join(logdir, 'kiln.db'))) throw new UserError(`no kiln run in ${logdir}`);
    const parsed = parseHostsFile(line, 'the line');
    if (!parsed.ok) throw new UserError(parsed.errors.map(formatHostsFileError).join('; '));
    const [host, ...more] = parsed.hostsFile.hosts;
    if (host === undefined || more.length > 0 || parsed.hostsFile.startup !== undefined) {
      throw new UserError('kiln host add takes one host line: NAME [key=value ...]');
    }
    const file = join(logdir, ADDED_HOSTS);
    const already = existsSync(file) ? parseHostsFile(readFileSync(file, 'utf8'), file) : undefined;
    if (already?.ok === true && already.hostsFile.hosts.some((h) => h.name === host.name)) {
      throw new UserError(`${host.name} is already in ${file}`);
    }
    if (buildHosts(logdir, io.cwd).includes(host.name)) {
      throw new UserError(`${host.name} is already a host of the build in ${logdir}; give the line another name (an address or user@host)`);
    }
    appendFileSync(file, `${line.trim()}\n`);
    io.stdout.write(`${file}: ${host.name} joins the running build\n`);
    return Promise.resolve(0);
  },
};

/**
 * The hosts the run directory's latest build has outside hosts.added, which
 * it would refuse again in that file: this machine when the build ran
 * without --hosts, else the hosts of its --hosts file (found from here, as
 * a relative path was given where kiln build ran).
 */
function buildHosts(logdir: string, cwd: string): string[] {
  const store = openRunStore(logdir);
  let argv: string[];
  try {
    argv = JSON.parse(store.latestRun()?.args ?? '[]') as string[];
  } finally {
    store.close();
  }
  const at = argv.findIndex((a) => a === '--hosts' || a.startsWith('--hosts='));
  if (at < 0) return ['localhost'];
  const path = resolve(cwd, argv[at]?.startsWith('--hosts=') === true ? argv[at].slice('--hosts='.length) : argv[at + 1] ?? '');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const parsed = parseHostsFile(text, path);
  return parsed.ok ? parsed.hostsFile.hosts.map((h) => h.name) : [];
}
