// Which tree driver a command uses, and what pkgsrc needs besides the tree:
// `--driver portfile|pkgsrc` (default: pkgsrc when the tree has
// mk/bsd.pkg.mk), `--bootstrap-kit FILE` (the prefix a scan shows and every
// build starts from) and `--make PATH` (bmake as the sandbox sees it).

import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { TreeDriver } from '../ports/driver.js';
import { PkgsrcDriver } from '../ports/pkgsrc/pkgsrc-driver.js';
import type { ShownAt } from '../ports/pkgsrc/scan-inputs.js';
import { PortfileDriver } from '../ports/portfile/portfile-driver.js';
import type { ScanInputs } from '../ports/scan-cache.js';
import { type BootstrapKit, readBootstrapKit, unpackKit } from '../sandbox/bootstrap-kit.js';
import { copyPublicEtc } from '../sandbox/pkgsrc-etc.js';
import { type BuildUser, defaultSandboxConfig } from '../sandbox/sandbox-config.js';
import { unreachableBy } from '../sandbox/scratch.js';
import { UsageError, UserError } from './command.js';

export const DRIVER_OPTIONS = {
  driver: { type: 'string' }, make: { type: 'string' }, 'bootstrap-kit': { type: 'string' },
} as const;

export const DRIVER_HELP = `  --driver NAME     portfile or pkgsrc (default: pkgsrc when the tree has
                    mk/bsd.pkg.mk, else portfile)
  --bootstrap-kit FILE
                    pkgsrc: the bootstrap kit (bootstrap --gzip-binary-kit);
                    scans see it unpacked at its PREFIX, and every build
                    starts from a fresh copy of it
  --make PATH       pkgsrc: bmake as the sandbox runs it (default:
                    PREFIX/bin/bmake of the kit, else /usr/pkg/bin/bmake,
                    else bmake from PATH)`;

export interface DriverValues {
  readonly driver?: string | undefined;
  readonly make?: string | undefined;
  readonly 'bootstrap-kit'?: string | undefined;
}

export interface OpenDriver {
  readonly driver: TreeDriver & ScanInputs;
  /** Set for pkgsrc: the kit (when given), where it is unpacked on this host, and the make every job runs. */
  readonly pkgsrc?: { readonly kit: BootstrapKit | undefined; readonly unpacked: ShownAt | undefined; readonly make: string };
  /** Removes what opening made (the unpacked kit). */
  close(): Promise<void>;
  /** Something the operator should know before the scan starts, one line. */
  readonly notice?: string;
}

/**
 * Whom a tree's scans run as. As root, the build user, so that a Portfile's
 * top level or a pkgsrc Makefile cannot read root-only files of the host
 * into its metadata; when that user cannot reach the tree, kiln's own user,
 * with a notice saying so and how to mend it.
 */
async function scanUser(tree: string): Promise<{ user: BuildUser | undefined; notice?: string }> {
  const user = defaultSandboxConfig().buildUser;
  if (user === undefined) return { user };
  const real = await realpath(tree).catch(() => tree);
  const blocked = await unreachableBy(real, user);
  if (blocked === undefined) return { user };
  return {
    user: undefined,
    notice: `${blocked} is not searchable by the build user (uid ${user.uid}), so the scans of ${real} run with root's access to files; make the tree readable by all (chmod a+rX) to scan it as that user`,
  };
}

export function driverKind(tree: string, value: string | undefined): 'portfile' | 'pkgsrc' {
  if (value === undefined) return existsSync(path.join(tree, 'mk', 'bsd.pkg.mk')) ? 'pkgsrc' : 'portfile';
  if (value === 'portfile' || value === 'pkgsrc') return value;
  throw new UsageError(`--driver wants portfile or pkgsrc, not '${value}'`);
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

export async function openTreeDriver(tree: string, values: DriverValues, options: {
  readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly signal: AbortSignal; readonly timeoutS?: number;
}): Promise<OpenDriver> {
  const timeout = options.timeoutS === undefined ? {} : { timeoutS: options.timeoutS };
  if (driverKind(tree, values.driver) === 'portfile') {
    if (values.make !== undefined || values['bootstrap-kit'] !== undefined) throw new UsageError('--make and --bootstrap-kit are for pkgsrc trees (--driver pkgsrc)');
    const scanAs = await scanUser(tree);
    return {
      driver: new PortfileDriver(tree, { ...timeout, user: scanAs.user }), close: () => Promise.resolve(),
      ...(scanAs.notice !== undefined && { notice: scanAs.notice }),
    };
  }
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
    let prefix: ShownAt | undefined;
    if (kit !== undefined) {
      const dir = await mkdtemp(path.join(tmpdir(), 'kiln-kit-'));
      made.push(dir);
      await chmod(dir, 0o711); // the scans' user binds the kit from here
      const failed = await unpackKit(kit, dir);
      if (failed !== undefined) throw new UserError(failed);
      prefix = { dir: path.join(dir, kit.prefix), at: kit.prefix };
    }
    const make = values.make ?? (kit ? `${kit.prefix}/bin/bmake` : existsSync('/usr/pkg/bin/bmake') ? '/usr/pkg/bin/bmake' : inPath('bmake', options.env));
    if (make === undefined) throw new UserError('no bmake: give --make PATH or --bootstrap-kit FILE');
    if (!path.isAbsolute(make)) throw new UsageError(`--make wants an absolute path, not '${make}'`);
    const hostMake = prefix !== undefined && make.startsWith(`${prefix.at}/`) ? path.join(prefix.dir, make.slice(prefix.at.length)) : make;
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
      make, makeIdentity: identity, optionCache: true, etc, user: scanAs.user, ...(prefix && { prefix }), ...timeout,
    }, options.signal);
    return { driver, pkgsrc: { kit, unpacked: prefix, make }, close, ...(scanAs.notice !== undefined && { notice: scanAs.notice }) };
  } catch (err) {
    await close();
    throw err;
  }
}
