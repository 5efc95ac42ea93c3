// `kiln serve`: the web page of a running or finished build, from its run
// directory, until Ctrl-C.

import { resolve } from 'node:path';

import { parseWebAddress } from '../../report/sinks/web-address.js';
import { WebServer } from '../../report/sinks/web-server.js';
import { parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { listenOn } from '../operator-wiring.js';
import { DEFAULT_LOGDIR, openRunDirectory } from '../run-event-log.js';

export const DEFAULT_WEB = '127.0.0.1:8080';

export const serve: Command = {
  name: 'serve',
  summary: 'serve the web page of a running or finished build',
  help: `usage: kiln serve [--logdir DIR] [--web ADDR]

Serves the page kiln build --web serves, for the build whose run directory
is DIR (default: ${DEFAULT_LOGDIR}): progress and counters, running jobs, the
timeline of every slot, utilisation, the failures (sortable, searchable),
every package, and the logs. It follows a running build live, and the run
directory: a new kiln build there takes over the page; /runs/N/ shows run N
(api/runs lists them).

  --logdir DIR   the run directory (default: ${DEFAULT_LOGDIR})
  --web ADDR     [HOST:]PORT to listen on (default: ${DEFAULT_WEB}); without a
                 HOST only this machine can connect (127.0.0.1)

${exitHelp('0 stopped by Ctrl-C')}`,
  async run(args: string[], io: CommandIO): Promise<number> {
    const { values } = parse(args, { logdir: { type: 'string' }, web: { type: 'string' } });
    const address = parseWebAddress(values.web ?? DEFAULT_WEB);
    if (typeof address === 'string') throw new UsageError(address);
    const logdir = resolve(io.cwd, values.logdir ?? DEFAULT_LOGDIR);
    const server = new WebServer({ logdir, runs: openRunDirectory(logdir) });
    const url = await listenOn(server, address);
    io.stdout.write(`kiln: serving ${logdir} at ${url} (Ctrl-C stops)\n`);
    await new Promise<void>((done) => {
      if (io.signal.aborted) done();
      else io.signal.addEventListener('abort', () => done(), { once: true });
    });
    await server.close();
    return 0;
  },
};
