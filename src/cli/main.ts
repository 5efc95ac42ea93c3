// `kiln`: picks the subcommand, wires Ctrl-C to one AbortSignal, and maps
// outcomes to exit statuses (exit-status.ts): a usage error prints the
// command's usage line and exits 2, input kiln cannot use exits 4 with one
// line naming it, anything else is a bug (70, with its stack).

import { escapeControls } from '../core/formats/escape.js';
import type { Command, CommandIO } from './command.js';
import { UsageError, UserError } from './command.js';
import { commands } from './commands/index.js';
import { EXIT, EXIT_HELP } from './exit-status.js';

const usage = (): string =>
  ['usage: kiln <command> [options]', '', 'commands:', ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '',
    'kiln <command> --help shows the options of one command.', '', EXIT_HELP.trimEnd()].join('\n');

/** A command's usage line and where its options are, for a usage error. */
const commandUsage = (command: Command): string =>
  `${command.help.split('\n')[0] ?? ''}\nkiln ${command.name} --help shows every option.`;

/** Every line of a message with the control characters a terminal would obey shown as escapes. */
const shown = (message: string): string => message.split('\n').map((line) => escapeControls(line)).join('\n');

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * A reader that went away (`kiln scan | head -1`) ends the output, not kiln
 * with a stack. For the life of the stream: the error comes after the write,
 * maybe after the command returned.
 */
function guardPipe(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

export async function main(argv: string[], io?: Partial<CommandIO>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const full: CommandIO = {
    stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env,
    cwd: process.cwd(), signal: controller.signal, ...io,
  };
  guardPipe(full.stdout);
  guardPipe(full.stderr);
  let command: Command | undefined;
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      full.stdout.write(usage() + '\n');
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version') {
      full.stdout.write('kiln 0.1.0\n');
      return EXIT.ok;
    }
    command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      full.stdout.write(command.help.trimEnd() + '\n');
      return EXIT.ok;
    }
    return await command.run(rest, full);
  } catch (err) {
    if (err instanceof UsageError) {
      full.stderr.write(`kiln: ${shown(err.message)}\n${command ? commandUsage(command) : `\n${usage()}`}\n`);
      return EXIT.usage;
    }
    if (err instanceof UserError) {
      full.stderr.write(`kiln: ${shown(err.message)}\n`);
      return err.status;
    }
    full.stderr.write(`kiln: internal error (a bug in kiln; please report it with this message): ${shown((err as Error).stack ?? String(err))}\n`);
    return EXIT.internal;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
