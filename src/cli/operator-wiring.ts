// What `kiln build` adds for the operator: its options (--web, --plain,
// --hook-*) and the reporters they make, ready to subscribe to the run's
// events. The runtime emits every RunEvent to `sink`, and awaits `close()`
// at the end.

import type { RunEvent, RunEventSink } from '../core/run-events.js';
import { HookRunner, splitCommand, type HookCommands } from '../report/sinks/hooks.js';
import { RunFilesReporter } from '../report/sinks/run-files.js';
import { TerminalReporter } from '../report/sinks/terminal-reporter.js';
import type { WaitingRecord } from '../store/waiting-record.js';
import { parseWebAddress, type WebAddress } from '../report/sinks/web-address.js';
import { WebServer } from '../report/sinks/web-server.js';
import { UsageError, UserError, type CommandIO } from './command.js';

/** The options, to spread into `kiln build`'s parseArgs options. */
export const OPERATOR_OPTIONS = {
  web: { type: 'string' },
  plain: { type: 'boolean' },
  'hook-start': { type: 'string' },
  'hook-end': { type: 'string' },
  'hook-failed': { type: 'string' },
} as const;

export const OPERATOR_HELP = `  --web ADDR         serve the live page on [HOST:]PORT (loopback unless HOST is given)
  --plain            one line per event, even on a terminal
  --hook-start CMD   run CMD when the run starts
  --hook-end CMD     run CMD when the run ends (KILN_RESULT, counts, KILN_REPORT)
  --hook-failed CMD  run CMD for each package that fails to build (KILN_PKGNAME,
                     KILN_PKGPATH, KILN_PHASE, KILN_ERROR, KILN_BREAKS, KILN_LOG, ...)
                     CMD is split at blanks into a program and arguments; no shell
`;

export interface OperatorValues {
  readonly web?: string | undefined;
  readonly plain?: boolean | undefined;
  readonly 'hook-start'?: string | undefined;
  readonly 'hook-end'?: string | undefined;
  readonly 'hook-failed'?: string | undefined;
}

export interface OperatorReporters {
  /** Emit every RunEvent here, in order. */
  readonly sink: RunEventSink;
  /** The live page's URL, when --web was given. */
  readonly url: string | undefined;
  /** What the engine says of its queued packages, for the page's Why column. */
  showWaiting(record: WaitingRecord | undefined): void;
  /** Stops redrawing, waits for hooks, writes the reports if the run did not finish, closes the page. */
  close(now: number): Promise<void>;
}

/** Starts `server` on `address`; an address taken or not this machine's is the user's to change, not a bug. */
export async function listenOn(server: WebServer, address: WebAddress): Promise<string> {
  try {
    return await server.listen(address);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use (another kiln serve or build --web?)'
      : code === 'EADDRNOTAVAIL' ? 'that address is not one of this machine\'s'
        : code === 'EACCES' ? 'ports below 1024 need root' : (err as Error).message;
    throw new UserError(`--web ${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}: cannot listen there: ${why}; give --web another [HOST:]PORT`);
  }
}

/** Makes the reporters; starts the web server when --web is given. Throws UsageError for a bad --web. */
export async function operatorReporters(values: OperatorValues, io: CommandIO, logdir: string): Promise<OperatorReporters> {
  const address = values.web === undefined ? undefined : parseWebAddress(values.web);
  if (typeof address === 'string') throw new UsageError(address);
  const hooks: HookCommands = {
    ...(values['hook-start'] !== undefined && { start: splitCommand(values['hook-start']) }),
    ...(values['hook-end'] !== undefined && { end: splitCommand(values['hook-end']) }),
    ...(values['hook-failed'] !== undefined && { failed: splitCommand(values['hook-failed']) }),
  };
  let waiting: WaitingRecord | undefined;
  const web = address === undefined ? undefined : new WebServer({ logdir, waiting: () => waiting });
  const url = web && address ? await listenOn(web, address) : undefined;
  const files = new RunFilesReporter(logdir);
  const terminal = new TerminalReporter({ out: io.stdout, env: io.env, plain: values.plain === true });
  const hookRunner = Object.keys(hooks).length > 0 ? new HookRunner({ hooks, logdir, env: io.env }) : undefined;
  const sinks: RunEventSink[] = [files, terminal, ...(hookRunner ? [hookRunner] : []), ...(web ? [web] : [])];
  let finished = false;
  return {
    sink: {
      emit(event: RunEvent): void {
        if (event.type === 'run-finished') finished = true;
        for (const sink of sinks) sink.emit(event);
      },
      replay(run, stored): void {
        for (const sink of sinks) sink.replay?.(run, stored);
      },
    },
    url,
    showWaiting(record): void {
      waiting = record;
    },
    async close(now: number): Promise<void> {
      terminal.close();
      if (!finished) files.writeReports(now);
      await hookRunner?.idle();
      await web?.close();
    },
  };
}
