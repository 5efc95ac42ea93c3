// `kiln`: picks the subcommand, wires Ctrl-C to one AbortSignal, and maps
// outcomes to exit statuses (0 ok, 1 failed packages or user error, 2 usage).

import type { Command, CommandIO } from './command.js';
import { UsageError, UserError } from './command.js';
import { commands } from './commands/index.js';

const usage = (): string =>
  ['usage: kiln <command> [options]', '', 'commands:', ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '',
    'kiln <command> --help shows the options of one command.'].join('\n');

export async function main(argv: string[], io?: Partial<CommandIO>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const full: CommandIO = {
    stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env,
    cwd: process.cwd(), signal: controller.signal, ...io,
  };
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      full.stdout.write(usage() + '\n');
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      full.stdout.write('kiln 0.1.0\n');
      return 0;
    }
    const command: Command | undefined = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      full.stdout.write(command.help.trimEnd() + '\n');
      return 0;
    }
    return await command.run(rest, full);
  } catch (err) {
    if (err instanceof UsageError) {
      full.stderr.write(`kiln: ${err.message}\n\n${usage()}\n`);
      return 2;
    }
    if (err instanceof UserError) {
      full.stderr.write(`kiln: ${err.message}\n`);
      return 1;
    }
    full.stderr.write(`kiln: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 70;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
