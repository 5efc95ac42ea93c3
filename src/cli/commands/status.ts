// `kiln status`: the terminal view of a running or finished build, from
// another terminal, read from the run's event log.

import { resolve } from 'node:path';

import { EventLogFollower } from '../../report/sinks/event-log.js';
import { measuredNow } from '../../report/sinks/live-logs.js';
import { RunViewState } from '../../report/view/run-view-state.js';
import { terminalLines } from '../../report/sinks/terminal-lines.js';
import { TerminalReporter, wantsColor } from '../../report/sinks/terminal-reporter.js';
import { parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import type { Command, CommandIO } from '../command.js';
import { DEFAULT_LOGDIR, openRunEventLog } from '../run-event-log.js';

export const status: Command = {
  name: 'status',
  summary: 'show a running or finished build: jobs, hosts, counters, ETA',
  help: `usage: kiln status [--logdir DIR] [--once] [--plain]

Shows the build whose run directory is DIR (default: ${DEFAULT_LOGDIR}) as kiln build
shows it: the counters (built, up-to-date, running, queued, waiting, failed,
prefailed, indirect), the hosts, one line per running job with its phase,
elapsed time and log size against its last build, one line per distfile
being fetched (file, site, bytes of its size, rate), what was fetched so
far, and the ETA.

On a terminal it follows the build, redrawn once a second, until the build
ends or Ctrl-C. Otherwise, or with --once, it prints the view once.

  --logdir DIR   the run directory (default: ${DEFAULT_LOGDIR})
  --once         print once and exit, even on a terminal
  --plain        no redrawing: print once, without colour

${exitHelp('0 shown')}`,
  async run(args: string[], io: CommandIO): Promise<number> {
    const { values } = parse(args, {
      logdir: { type: 'string' }, once: { type: 'boolean' }, plain: { type: 'boolean' },
    });
    const logdir = resolve(io.cwd, values.logdir ?? DEFAULT_LOGDIR);
    const log = openRunEventLog(logdir);
    const follow = io.stdout.isTTY === true && values.once !== true && values.plain !== true;
    if (!follow) {
      const state = new RunViewState();
      new EventLogFollower(log, state).poll();
      for (const event of measuredNow(state, Date.now() / 1000, log.loads())) state.emit(event);
      const color = values.plain !== true && wantsColor(io.stdout, io.env);
      const lines = terminalLines(state.view(Date.now() / 1000, { tables: false }), { width: io.stdout.columns ?? 1000, color });
      io.stdout.write(lines.join('\n') + '\n');
      return 0;
    }
    const reporter = new TerminalReporter({ out: io.stdout, env: io.env, notes: false });
    const follower = new EventLogFollower(log, reporter);
    const state = new RunViewState();
    const watch = new EventLogFollower(log, state);
    await new Promise<void>((done) => {
      const step = (): void => {
        follower.poll();
        watch.poll();
        for (const event of measuredNow(state, Date.now() / 1000, log.loads())) {
          state.emit(event);
          reporter.emit(event);
        }
        if (state.finished || io.signal.aborted) {
          clearInterval(timer);
          reporter.close();
          done();
        }
      };
      const timer = setInterval(step, 500);
      io.signal.addEventListener('abort', step, { once: true });
      step();
    });
    return 0;
  },
};
