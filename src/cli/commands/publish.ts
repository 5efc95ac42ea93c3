// `kiln publish`: uploads a pkgsrc repository with rsync (pbulk's upload),
// after bob's checks, without restricted packages, optionally signed.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { unreachable } from '../../core/unreachable.js';
import { publishRepository } from '../../report/repository/publish.js';
import { readBootstrapKit, unpackKit } from '../../sandbox/bootstrap-kit.js';
import { integer, parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import { type Command, type CommandIO, UsageError, UserError } from '../command.js';

const help = `usage: kiln publish [--packages DIR] [--min N] [--require PATTERN]... [--sign-packages KEYID]
                    [--sign-summary KEYID] [--bootstrap-kit FILE] TARGET

Uploads the repository DIR (what kiln build --driver pkgsrc made) to TARGET
with rsync: a directory, or host:directory over ssh. Packages that may not
be distributed (NO_BIN_ON_FTP, RESTRICTED, and whatever needs them: the
repository's restricted.txt) are left out, and pkg_summary.{gz,bz2,xz},
pkg_files.gz and SHA512.bz2 are made again for exactly what is sent. Packages
go first, the index last. Nothing is sent when a check fails.

options:
  --packages DIR        the repository (default: ./packages)
  --min N               refuse when fewer than N packages would be published
  --require PATTERN     refuse unless a published package matches the pkgsrc
                        pattern (mozilla-rootcerts-[0-9]*); may be repeated
  --sign-packages KEYID sign every package as pkgsrc's gpg-signed packages
                        (pkg_admin gpg-sign-package, with gpg and KEYID's key
                        from the caller's keyring)
  --sign-summary KEYID  write a .asc for each pkg_summary (gz, bz2, xz), gpg
                        signatures made with KEYID's key
  --bootstrap-kit FILE  where pkg_admin comes from for --sign-packages
                        (default: /usr/pkg/sbin/pkg_admin)

${exitHelp('0 published; 1 refused by a check, or the upload failed')}`;

/** A word given to gpg or rsync as an argument: never one they could read as an option. */
function notOption(value: string, what: string): string {
  if (value === '' || value.startsWith('-') || /[\0\n]/.test(value)) throw new UsageError(`not a ${what}: ${JSON.stringify(value)}`);
  return value;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => resolve(`cannot run ${command}: ${err.message}`));
    child.on('close', (status) => resolve(status === 0 ? undefined : stderr.trim().split('\n').slice(-2).join(' ') || `exit status ${status}`));
  });
}

async function pkgAdmin(kitFile: string | undefined, cwd: string, made: string[]): Promise<string> {
  if (kitFile === undefined) {
    if (!existsSync('/usr/pkg/sbin/pkg_admin')) throw new UserError('--sign-packages needs pkg_admin: give --bootstrap-kit FILE');
    return '/usr/pkg/sbin/pkg_admin';
  }
  const read = await readBootstrapKit(path.resolve(cwd, kitFile));
  if (!read.ok) throw new UserError(read.reason);
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-kit-'));
  made.push(dir);
  const failed = await unpackKit(read.kit, dir);
  if (failed !== undefined) throw new UserError(failed);
  const tool = path.join(dir, read.kit.prefix, 'sbin', 'pkg_admin');
  if (!existsSync(tool)) throw new UserError(`the bootstrap kit has no ${read.kit.prefix}/sbin/pkg_admin`);
  return tool;
}

async function runPublish(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(args, {
    packages: { type: 'string' }, min: { type: 'string' }, require: { type: 'string', multiple: true },
    'sign-packages': { type: 'string' }, 'sign-summary': { type: 'string' }, 'bootstrap-kit': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('kiln publish wants one TARGET');
  const target = notOption(positionals[0]!, 'rsync target');
  const repository = path.resolve(io.cwd, values.packages ?? 'packages');
  const minimum = integer(values.min, 'min', 0, 0);
  const made: string[] = [];
  try {
    const packageKey = values['sign-packages'] === undefined ? undefined : notOption(values['sign-packages'], 'key id');
    const summaryKey = values['sign-summary'] === undefined ? undefined : notOption(values['sign-summary'], 'key id');
    let signPackage: ((input: string, output: string) => Promise<string | undefined>) | undefined;
    if (packageKey !== undefined) {
      const tool = await pkgAdmin(values['bootstrap-kit'], io.cwd, made);
      const confDir = await mkdtemp(path.join(tmpdir(), 'kiln-sign-'));
      made.push(confDir);
      const conf = path.join(confDir, 'pkg_install.conf');
      await writeFile(conf, `GPG=/usr/bin/gpg\nGPG_SIGN_AS=${packageKey}\n`);
      signPackage = (input, output) => run(tool, ['-C', conf, 'gpg-sign-package', input, output], io.env);
    }
    const outcome = await publishRepository({
      repository, target, minimum, required: values.require ?? [], rsync: 'rsync',
      ...(signPackage !== undefined && { signPackage }),
      ...(summaryKey !== undefined && {
        signSummary: (file: string) => run('gpg', ['--batch', '--yes', '--local-user', summaryKey, '--armor', '--detach-sign', '--output', `${file}.asc`, '--', file], io.env),
      }),
    });
    switch (outcome.kind) {
      case 'refused':
        io.stderr.write(`kiln publish: refused: ${outcome.reason}\n`);
        return 1;
      case 'failed':
        io.stderr.write(`kiln publish: ${outcome.reason}\n`);
        return 1;
      case 'published':
        io.stdout.write(`kiln publish: ${outcome.packages} packages to ${target}` +
          (outcome.restricted.length > 0 ? `; left out, restricted: ${outcome.restricted.join(' ')}` : '') + '\n');
        return 0;
      default:
        return unreachable(outcome);
    }
  } finally {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  }
}

export const publishCommand: Command = { name: 'publish', summary: 'upload a pkgsrc repository with rsync, without restricted packages', help, run: runPublish };
