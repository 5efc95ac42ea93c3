// pkgsrc trees: scanned with bmake (pbulk-index) in a sandbox that shows the
// bootstrap kit unpacked at its PREFIX (`--bootstrap-kit FILE`, `--make
// PATH`); built by pkgsrc's recipe from a fresh copy of the kit; indexed as
// pbulk's post-build does (restricted.txt, then pkg_summary.{gz,bz2,xz}
// from pkg_info -X, SHA512.bz2, pkg_files.gz); and a remote host gets the kit and the
// tree before its first job or scan (exec/ssh/pkgsrc-host.ts).

import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { indexValue } from '../../core/formats/pbulk-index.js';
import type { ResolvedPackage } from '../../core/resolve/resolve.js';
import { formatRestricted, RESTRICTED_FILE, restrictedPackages } from '../../core/resolve/restricted.js';
import { FileHasher } from '../../exec/ssh/file-hasher.js';
import { PkgsrcHost } from '../../exec/ssh/pkgsrc-host.js';
import { TreeSnapshot } from '../../exec/ssh/tree-snapshot.js';
import { PkgsrcDriver } from '../../ports/pkgsrc/pkgsrc-driver.js';
import type { ShownAt } from '../../ports/pkgsrc/scan-inputs.js';
import { writePkgsrcIndex } from '../../report/repository/pkgsrc-index.js';
import { type BootstrapKit, readBootstrapKit, unpackKit } from '../../sandbox/bootstrap-kit.js';
import { copyPublicEtc } from '../../sandbox/pkgsrc-etc.js';
import { pkgsrcBuilder, type PkgsrcSetup } from '../../sandbox/recipe-pkgsrc.js';
import { type CommandIO, UsageError, UserError } from '../command.js';
import { kitTools } from './pkgsrc-tools.js';
import { scanUser } from './scan-user.js';
import type { DriverValues, OpenOptions, RemoteTree, TreeKind } from './tree-kind.js';

/** The pkgsrc tree's file hashes, kept in the run directory for the next run (made when a remote host first connects). */
const TREE_HASHES = 'tree-hashes.json';

export async function openPkgsrcTree(tree: string, values: DriverValues, options: OpenOptions): Promise<TreeKind> {
  const scanAs = await scanUser(tree);
  let kit: BootstrapKit | undefined;
  if (values['bootstrap-kit'] !== undefined) {
    const read = await readBootstrapKit(path.resolve(options.cwd, values['bootstrap-kit']));
    if (!read.ok) throw new UserError(read.reason);
    kit = read.kit;
  }
  const made: string[] = [];
  const close = async (): Promise<void> => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  };
  try {
    let unpacked: ShownAt | undefined;
    if (kit !== undefined) {
      const dir = await mkdtemp(path.join(tmpdir(), 'kiln-kit-'));
      made.push(dir);
      await chmod(dir, 0o711); // the scans' user binds the kit from here
      const failed = await unpackKit(kit, dir);
      if (failed !== undefined) throw new UserError(failed);
      unpacked = { dir: path.join(dir, kit.prefix), at: kit.prefix };
    }
    const make = values.make ?? (kit ? `${kit.prefix}/bin/bmake` : existsSync('/usr/pkg/bin/bmake') ? '/usr/pkg/bin/bmake' : inPath('bmake', options.env));
    if (make === undefined) throw new UserError('no bmake: give --make PATH or --bootstrap-kit FILE');
    if (!path.isAbsolute(make)) throw new UsageError(`--make wants an absolute path, not '${make}'`);
    const hostMake = unpacked !== undefined && make.startsWith(`${unpacked.at}/`) ? path.join(unpacked.dir, make.slice(unpacked.at.length)) : make;
    let identity: string;
    try {
      identity = kit?.sha256 ?? createHash('sha256').update(readFileSync(hostMake)).digest('hex');
    } catch (err) {
      throw new UserError(`cannot read bmake at ${hostMake}: ${(err as Error).message}`);
    }
    const scratch = await mkdtemp(path.join(tmpdir(), 'kiln-pkgsrc-scan-'));
    made.push(scratch);
    await chmod(scratch, 0o711);
    const etc = path.join(scratch, 'etc');
    await copyPublicEtc(etc);
    const driver = await PkgsrcDriver.open(tree, {
      make, makeIdentity: identity, optionCache: true, etc, user: scanAs.user, ...(unpacked && { prefix: unpacked }),
      ...(options.timeoutS !== undefined && { timeoutS: options.timeoutS }),
    }, options.signal);
    /** Every host of a run is made ready from one listing of the tree, made when the first one connects. */
    const remote = (setup: PkgsrcSetup, hashes?: string): RemoteTree => {
      const snapshot = new TreeSnapshot(driver.root, new FileHasher(), hashes);
      return { treeHost: () => new PkgsrcHost({ setup, tree: snapshot }), close: () => snapshot.close() };
    };
    return {
      name: 'pkgsrc', driver, ...(scanAs.notice !== undefined && { notice: scanAs.notice }),
      remoteScanTimeoutS: 120,
      forBuild: ({ repository, logdir, distdir, io }) => {
        if (kit === undefined) throw new UserError('a pkgsrc build needs the bootstrap kit every job starts from: give --bootstrap-kit FILE');
        const setup: PkgsrcSetup = { kit, make, ...(distdir !== undefined && { distdir }) };
        return {
          build: pkgsrcBuilder(setup),
          writeIndex: (allDir, packages) => writePkgsrcRepository(unpacked, repository, allDir, logdir, packages, io),
          remote: remote(setup, path.join(logdir, TREE_HASHES)),
          // Its jobs here read the tree in place, as the build user: every one would fail, and this machine be quarantined for it.
          ...(scanAs.blocked !== undefined && { localProblem: `it cannot build the pkgsrc tree ${driver.root}: ${scanAs.blocked}; make the tree readable by all (chmod a+rX), or build on other hosts (--hosts)` }),
        };
      },
      forRemoteScan: () => {
        if (kit === undefined) throw new UsageError('--hosts with a pkgsrc tree needs --bootstrap-kit FILE: the hosts scan with it');
        return remote({ kit, make });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The first executable `name` in PATH, or undefined. */
function inPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const file = path.join(dir || '.', name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

/** pkgsrc's post-build, as pbulk's: restricted.txt, then pkg_summary.{gz,bz2,xz} from pkg_info -X, SHA512.bz2, pkg_files.gz. */
async function writePkgsrcRepository(unpacked: ShownAt | undefined, repository: string, allDir: string, logdir: string,
  packages: readonly ResolvedPackage[], io: CommandIO): Promise<void> {
  const restricted = restrictedPackages(packages.map((pkg) => ({
    pkgname: pkg.pkgname, depends: pkg.depends,
    noBinOnFtp: indexValue(pkg.entry, 'NO_BIN_ON_FTP') ?? '', restricted: indexValue(pkg.entry, 'RESTRICTED') ?? '',
  })));
  await writeFile(path.join(repository, RESTRICTED_FILE), formatRestricted(restricted));
  if (unpacked === undefined) return;
  const index = await writePkgsrcIndex(allDir, logdir, kitTools(unpacked, allDir, io.signal));
  for (const skipped of index.skipped) io.stderr.write(`kiln: ${skipped.file} is left out of pkg_summary: ${skipped.reason}\n`);
  for (const error of index.errors) io.stderr.write(`kiln: ${error}\n`);
}
