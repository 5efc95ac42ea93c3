// `kiln resolve [--strict] [-v] [FILE]`: pbulk-resolve. Reads an index
// (pscan), writes presolve to stdout, reports bad lines and unresolvable
// dependencies on stderr with their line numbers.

import { IndexReader } from '../../core/formats/pbulk-index.js';
import type { IndexEntry } from '../../core/formats/pbulk-index.js';
import { formatPresolveBlock } from '../../core/formats/presolve-format.js';
import { resolveIndex } from '../../core/resolve/resolve.js';
import { escapeControls } from '../../core/formats/escape.js';
import { parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import type { Command, CommandIO } from '../command.js';
import { UsageError, UserError } from '../command.js';
import { readIndexText } from '../index-input.js';

const help = `usage: kiln resolve [--strict] [-v] [FILE]

Resolves the dependencies of a pbulk index (pbulk's pscan format, as
\`kiln scan\` or \`bmake pbulk-index\` write it) exactly as pbulk-resolve does,
and writes pbulk's presolve format to stdout: every block as it came, plus a
DEPENDS= line naming the pkgnames its ALL_DEPENDS patterns resolve to.

FILE may be plain, gzip'ed or xz'ed (xz is run as \`xz -dc\`); without FILE,
or with -, the index is read from stdin.

A pattern that matches no package is reported on stderr with the line of
its package's PKGNAME=; that package gets no DEPENDS= line and its
PKG_FAIL_REASON says which pattern failed, as pbulk writes it.

options:
  --strict       unresolvable dependencies and bad index lines are errors:
                 nothing is written and the exit status is 1 (pbulk-resolve's
                 behaviour without -i)
  -v, --verbose  also warn when the best match of a dependency lives in
                 another directory than the one the dependency names
                 (pbulk-resolve -v)
  -h, --help     this text

${exitHelp(`0 resolved (in lenient mode, even with unresolvable dependencies);
1 --strict and something did not resolve`)}`;

/** Collects written text and hands it to the stream in large latin1 chunks. */
class BlockWriter {
  private buffered: string[] = [];
  private size = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  async write(text: string): Promise<void> {
    this.buffered.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    // One copy, straight into the buffer (latin1: a character is a byte).
    const chunk = Buffer.allocUnsafe(this.size);
    let at = 0;
    for (const text of this.buffered) at += chunk.write(text, at, 'latin1');
    this.buffered = [];
    this.size = 0;
    if (!this.out.write(chunk)) await new Promise((resolve) => this.out.once('drain', resolve));
  }
}

async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(args, {
    strict: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  });
  if (positionals.length > 1) throw new UsageError('resolve takes at most one FILE');
  const file = positionals[0];
  const name = file === undefined || file === '-' ? 'stdin' : file;
  const strict = values.strict ?? false;

  const reader = new IndexReader();
  const entries: IndexEntry[] = [];
  for await (const text of readIndexText(file, io.stdin)) {
    for (const entry of reader.push(text)) entries.push(entry);
  }
  for (const entry of reader.end()) entries.push(entry);
  const first = reader.errors[0];
  if (entries.length === 0) {
    throw new UserError(first === undefined ? `${name} is empty: no package to resolve (give it the index kiln scan writes)`
      : `${name}:${first.line}: not a pbulk index: ${first.message}: ${escapeControls(first.text.slice(0, 80))}`);
  }
  const badLine = strict ? 'error' : 'warning';
  for (const error of reader.errors) {
    io.stderr.write(`kiln resolve: ${name}:${error.line}: ${badLine}: ${error.message}: ${escapeControls(error.text.slice(0, 200))}\n`);
  }

  const { packages, messages } = resolveIndex(entries, { strict, verbose: values.verbose ?? false });
  for (const message of messages) {
    io.stderr.write(`kiln resolve: ${name}:${message.line}: ${message.level}: ${escapeControls(message.text)}\n`);
  }
  const failed = messages.some((m) => m.level === 'error') || (strict && reader.errors.length > 0);
  if (failed) {
    io.stderr.write('kiln resolve: nothing written: fix the errors above, or resolve without --strict\n');
    return 1;
  }
  const writer = new BlockWriter(io.stdout);
  for (const pkg of packages) await writer.write(formatPresolveBlock(pkg));
  await writer.flush();
  return 0;
}

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'resolve an index (pscan) into pbulk\'s presolve format',
  help,
  run,
};
