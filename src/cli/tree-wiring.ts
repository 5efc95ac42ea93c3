// What a kind of tree changes in `kiln build`: the sandbox builder (kiln's
// Portfile recipe, or pkgsrc's from the bootstrap kit) and the repository
// index written after the run (kiln's own pkg_summary, or pbulk's
// post-build: pkg_summary.{gz,bz2,xz} from pkg_info -X, SHA512.bz2, pkg_files.gz,
// restricted.txt).

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { indexValue } from '../core/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve.js';
import { formatRestricted, RESTRICTED_FILE, restrictedPackages } from '../core/restricted.js';
import type { ShownAt } from '../ports/pkgsrc/scan-inputs.js';
import { writeRepositoryIndex } from '../report/pkg-summary.js';
import { writePkgsrcIndex } from '../report/pkgsrc-index.js';
import { type Builder, buildPackage } from '../sandbox/builder.js';
import { pkgsrcBuilder, type PkgsrcSetup } from '../sandbox/recipe-pkgsrc.js';
import type { CommandIO } from './command.js';
import { UserError } from './command.js';
import { kitTools } from './pkgsrc-tools.js';
import type { OpenDriver } from './tree-driver.js';

export interface TreeWiring {
  readonly build: Builder;
  /** pkgsrc: the kit, make and DISTDIR every job's sandbox is set up from (remote hosts get them too). */
  readonly pkgsrc?: PkgsrcSetup;
  readonly writeIndex: (allDir: string, packages: readonly ResolvedPackage[]) => Promise<void>;
}

/** `logdir`: the run directory, where the repository index keeps what it read for the next one. */
export function treeWiring(opened: OpenDriver, repository: string, logdir: string, distdir: string | undefined, io: CommandIO): TreeWiring {
  if (opened.pkgsrc === undefined) {
    return { build: buildPackage, writeIndex: async (allDir) => { await writeRepositoryIndex(allDir, logdir); } };
  }
  const { kit, make, unpacked } = opened.pkgsrc;
  if (kit === undefined) throw new UserError('a pkgsrc build needs the bootstrap kit every job starts from: give --bootstrap-kit FILE');
  const setup: PkgsrcSetup = { kit, make, ...(distdir !== undefined && { distdir }) };
  return {
    build: pkgsrcBuilder(setup),
    pkgsrc: setup,
    writeIndex: (allDir, packages) => writePkgsrcRepository(unpacked, repository, allDir, logdir, packages, io),
  };
}

/** pkgsrc's post-build, as pbulk's: restricted.txt, then pkg_summary.{gz,bz2,xz} from pkg_info -X, SHA512.bz2, pkg_files.gz. */
async function writePkgsrcRepository(unpacked: ShownAt | undefined, repository: string, allDir: string, logdir: string,
  packages: readonly ResolvedPackage[], io: CommandIO): Promise<void> {
  const restricted = restrictedPackages(packages.map((pkg) => ({
    pkgname: pkg.pkgname, depends: pkg.depends,
    noBinOnFtp: indexValue(pkg.entry, 'NO_BIN_ON_FTP') ?? '', restricted: indexValue(pkg.entry, 'RESTRICTED') ?? '',
  })));
  await writeFile(join(repository, RESTRICTED_FILE), formatRestricted(restricted));
  if (unpacked === undefined) return;
  const index = await writePkgsrcIndex(allDir, logdir, kitTools(unpacked, allDir, io.signal));
  for (const skipped of index.skipped) io.stderr.write(`kiln: ${skipped.file} is left out of pkg_summary: ${skipped.reason}\n`);
  for (const error of index.errors) io.stderr.write(`kiln: ${error}\n`);
}
