// `kiln scan`: scans a tree (or the closure of some pkgpaths) and writes the
// index, pbulk-index format, to stdout.

import { availableParallelism } from 'node:os';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';

import { formatHostsFileError, readHostsFile } from '../../exec/hosts-file.js';
import type { TreeDriver } from '../../ports/driver.js';
import type { ScanInputs } from '../../ports/scan-cache.js';
import type { ScanPool } from '../../ports/scan-pool.js';
import { isPkgPath } from '../../core/pkgpath.js';
import { escapeControls } from '../../core/formats/escape.js';
import { DirectoryScanCache } from '../../ports/scan-cache-dir.js';
import { scanPorts } from '../../ports/scanner.js';
import { integer, MAX_SECONDS, MAX_SLOTS, parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import { makeExecutor, scanPool } from '../cluster-wiring.js';
import type { TreeHostFactory } from '../../exec/ssh/tree-host.js';
import type { Command, CommandIO } from '../command.js';
import { UsageError, UserError } from '../command.js';
import { openTreeKind } from '../trees/open-tree.js';
import { DRIVER_HELP, DRIVER_OPTIONS, type RemoteTree } from '../trees/tree-kind.js';
import { OrderedIndex, ScanProgressLine } from '../scan-output.js';
import { checkPorts, checkTreeDir } from '../tree-check.js';

const help = `usage: kiln scan [--tree DIR] [--driver portfile|pkgsrc] [--jobs N] [--hosts FILE] [--cache DIR] [--timeout S] [PKGPATH...]

Scans a tree and writes its index (pbulk-index format: one KEY=VALUE block
per package, PKG_LOCATION added after PKGNAME, as pbulk's meta/pscan) to
stdout, sorted by pkgpath. As pbulk's scan, a block whose PKGNAME an
earlier block has (a MULTI_VERSION port giving one name for several
versions) is left out, and said so on stderr. With PKGPATHs (category/name), scans those and
every port they depend on, as a limited build needs.

Each port is scanned inside a bubblewrap sandbox (read-only tree, private
/tmp, no network): a Portfile is sourced by bash; a pkgsrc port runs
\`bmake pbulk-index\` in its directory, with the bootstrapped prefix
read-only at PREFIX. A port that cannot be scanned still gets a block, with
PKG_FAIL_REASON and KILN_SCAN_ERROR set, so what depends on it is reported
as blocked; its error is also printed on stderr.

options:
  --tree DIR        the tree (default: the current directory)
${DRIVER_HELP}
  --jobs N          scans at once (default: the number of cores)
  --cache DIR       keep scan results in DIR and reuse them while none of the
                    files a port's scan read has changed (pkgsrc: its
                    SCAN_DEPENDS)
  --timeout S       kill a port's scan after S seconds (default 30; pkgsrc 120)
  --hosts FILE      scan on the remote hosts of FILE too (dpb's hosts file;
                    pbulk's scan clients), jobs= scans at once on each; the
                    port's files go over ssh; --jobs 0 scans only there
                    (Portfile trees)
  --ssh-config FILE ssh's configuration file (ssh -F FILE) for those hosts

${exitHelp(`0 every port was scanned; 1 some ports could not be scanned
(the index on stdout is still complete, their errors are on stderr)`)}`;

/** The cache directory, made if need be; an unwritable one is the user's to fix, not a silent slowdown. */
async function writableCache(dir: string): Promise<DirectoryScanCache> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new UserError(`cannot write the scan cache ${dir}: ${(err as Error).message}`);
  }
  return new DirectoryScanCache(dir);
}

async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(args, {
    tree: { type: 'string' }, jobs: { type: 'string' }, cache: { type: 'string' }, timeout: { type: 'string' },
    hosts: { type: 'string' }, 'ssh-config': { type: 'string' }, ...DRIVER_OPTIONS,
  });
  const jobs = integer(values.jobs, 'jobs', availableParallelism(), values.hosts === undefined ? 1 : 0, MAX_SLOTS);
  const timeoutS = values.timeout === undefined ? undefined : integer(values.timeout, 'timeout', 1, 1, MAX_SECONDS);
  for (const pkgpath of positionals) {
    if (!isPkgPath(pkgpath)) throw new UsageError(`'${pkgpath}' is not a pkgpath (category/name)`);
  }
  const tree = path.resolve(io.cwd, values.tree ?? '.');
  checkTreeDir(tree);
  const kind = await openTreeKind(tree, values, { cwd: io.cwd, env: io.env, signal: io.signal, ...(timeoutS !== undefined && { timeoutS }) });
  let remote: RemoteTree | undefined;
  try {
    await checkPorts(kind.driver, positionals, io.signal);
    if (kind.notice !== undefined) io.stderr.write(`kiln scan: warning: ${kind.notice}\n`);
    remote = values.hosts === undefined ? undefined : kind.forRemoteScan();
  } catch (err) {
    await kind.close();
    throw err;
  }
  const clients = values.hosts === undefined ? undefined
    : await scanClients(values.hosts, values['ssh-config'], kind.driver, jobs, timeoutS ?? kind.remoteScanTimeoutS, io, remote?.treeHost);
  try {
    return await scanTree(clients?.pool ?? kind.driver, clients?.pool.slots ?? jobs, values.cache, positionals, io);
  } finally {
    if (clients) {
      io.stderr.write(`kiln scan: ports scanned ${[...clients.pool.scannedBy()].map(([host, n]) => `on ${host}: ${n}`).join(', ')}\n`);
      await clients.close();
    }
    await remote?.close();
    await kind.close();
  }
}

async function scanTree(driver: TreeDriver & ScanInputs, jobs: number, cacheDir: string | undefined, positionals: readonly string[],
  io: CommandIO): Promise<number> {
  const cache = cacheDir === undefined ? undefined
    : { store: await writableCache(path.resolve(io.cwd, cacheDir)), scanner: driver };
  const progress = new ScanProgressLine(io.stderr, (io.stderr as { isTTY?: boolean }).isTTY === true);
  const output = new OrderedIndex((text) => io.stdout.write(text));
  let count = 0;
  let errors = 0;
  try {
    for await (const port of scanPorts(driver, {
      jobs, signal: io.signal, ...(positionals.length > 0 ? { pkgpaths: positionals } : {}), ...(cache ? { cache } : {}),
      notAPort: (dir, reason) => {
        progress.clear();
        io.stderr.write(`kiln scan: ${dir}: ${reason}\n`);
      },
      listed: (pkgpaths) => output.listed(pkgpaths),
    })) {
      count++;
      output.add(port);
      if (port.error !== undefined) {
        errors++;
        progress.clear();
        io.stderr.write(`kiln scan: ${port.pkgpath}: ${escapeControls(port.error)}\n`);
      }
      progress.update(port.progress);
    }
  } catch (err) {
    if (!io.signal.aborted) throw err;
    progress.clear();
    io.stderr.write('kiln scan: interrupted\n');
    return 130;
  } finally {
    progress.stop();
  }
  output.end();
  if (output.dropped.length > 0) {
    const shown = output.dropped.slice(0, 5).join(', ') + (output.dropped.length > 5 ? `, and ${output.dropped.length - 5} more` : '');
    io.stderr.write(`kiln scan: ${output.dropped.length} later blocks left out, an earlier block having their PKGNAME (as pbulk's scan does): ${escapeControls(shown)}\n`);
  }
  if (errors > 0) io.stderr.write(`kiln scan: ${errors} of ${count} ports could not be scanned\n`);
  return errors > 0 ? 1 : 0;
}

/** The remote hosts of a hosts file as scan clients; `close` ends their connections. */
async function scanClients(file: string, sshConfig: string | undefined, local: TreeDriver & ScanInputs, jobs: number, timeoutS: number,
  io: CommandIO, treeHost: TreeHostFactory | undefined): Promise<{ pool: ScanPool; close: () => Promise<void> }> {
  const read = await readHostsFile(path.resolve(io.cwd, file));
  if (!read.ok) throw new UserError(read.errors.map((e) => `bad hosts file: ${formatHostsFileError(e)}`).join('\nkiln: '));
  const config = sshConfig === undefined ? undefined : path.resolve(io.cwd, sshConfig);
  // Its own owner: Slurm allocations are named (and cancelled on connect) by owner, and two scans must not cancel each other's.
  const hosts = read.hostsFile.hosts.filter((e) => !e.local).map((entry) => ({ entry, executor: makeExecutor(entry, read.hostsFile, config, undefined, treeHost, `kiln-scan-${process.pid}`) }));
  const close = async (): Promise<void> => { await Promise.all(hosts.map((h) => h.executor.close())); };
  try {
    return { pool: await scanPool(hosts, local, jobs, io, timeoutS), close };
  } catch (err) {
    await close();
    throw err;
  }
}

export const scanCommand: Command = { name: 'scan', summary: 'scan a tree and write its index (pbulk-index format)', help, run };
