// `kiln fetch`: the mirror mode. Scans the tree (or the listed ports and
// what they need) and fetches and verifies every distfile into DISTDIR, as
// a build's fetch jobs do, without building anything.

import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import type { IndexEntry } from '../../core/formats/pbulk-index.js';
import { indexValue } from '../../core/formats/pbulk-index.js';
import { isPkgPath } from '../../core/pkgpath.js';
import { FetchQueue, type PortFetchResult } from '../../fetch/fetch-queue.js';
import { scanPorts } from '../../ports/scanner.js';
import { type DistfileLister, distfileLister } from '../../runtime/distfile-lister.js';
import type { FetchSettings } from '../../runtime/fetch-source.js';
import { lockDistfile } from '../../runtime/distfile-lock.js';
import { integer, parse } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { UsageError, UserError } from '../command.js';
import { EXIT, exitHelp } from '../exit-status.js';
import { FETCH_HELP, FETCH_OPTIONS, fetchSettings } from '../fetch-wiring.js';
import { FETCH_PROGRESS_S, FetchProgress } from '../fetch-progress.js';
import { openTreeKind } from '../trees/open-tree.js';
import { DRIVER_HELP, DRIVER_OPTIONS } from '../trees/tree-kind.js';

const help = `usage: kiln fetch [--tree DIR] [--distdir DIR] [--master-site-override URL] [--fetch-jobs N] [PKGPATH...]

Fetches every distfile of the tree's ports, or of the listed PKGPATHs
(category/name) and every port they depend on, into DISTDIR, and verifies
each against its port's distinfo (size and checksums) before it takes its
name there. A file already in DISTDIR is verified and kept, or moved aside
to NAME.corrupt and fetched again. Prints a line per distfile, and one
every ${FETCH_PROGRESS_S} s for each still coming (bytes so far, rate).

options:
  --tree DIR        the tree (default: the current directory)
${DRIVER_HELP}
${FETCH_HELP}  --jobs N          scans at once (default: the number of cores)

${exitHelp(`0 every distfile is in DISTDIR, verified; 1 some could not be
had (each named, with every URL tried and what it answered)`)}`;

async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(args, {
    tree: { type: 'string' }, distdir: { type: 'string' }, jobs: { type: 'string' }, ...FETCH_OPTIONS, ...DRIVER_OPTIONS,
  });
  const bad = positionals.find((p) => !isPkgPath(p));
  if (bad !== undefined) throw new UsageError(`not a pkgpath (category/name): ${JSON.stringify(bad)}`);
  const tree = path.resolve(io.cwd, values.tree ?? '.');
  if (!(await stat(tree).catch(() => undefined))?.isDirectory()) throw new UserError(`no tree at ${tree}`);
  const settings = fetchSettings(values, tree, io.cwd);
  const jobs = integer(values.jobs, 'jobs', availableParallelism());
  const opened = await openTreeKind(tree, values, { cwd: io.cwd, env: io.env, signal: io.signal });
  try {
    const entries: IndexEntry[] = [];
    try {
      for await (const port of scanPorts(opened.driver, { jobs, signal: io.signal, ...(positionals.length > 0 && { pkgpaths: positionals }) })) {
        if (port.error !== undefined) io.stderr.write(`kiln fetch: ${port.pkgpath}: cannot be scanned: ${port.error}\n`);
        entries.push(...port.entries);
      }
    } catch (err) {
      if (!io.signal.aborted) throw err;
    }
    if (io.signal.aborted) return EXIT.interrupted;
    // Open until the fetches end: a pkgsrc port's distfiles are asked of bmake in the scan sandbox.
    return await fetchAll(distfileLister(opened.driver, settings.override), entries, settings, io);
  } finally {
    await opened.close();
  }
}

/** Every distfile of `entries` into DISTDIR, a line each; the exit status. */
async function fetchAll(lister: DistfileLister, entries: readonly IndexEntry[], settings: FetchSettings, io: CommandIO): Promise<number> {
  const wanted = entries.filter((e) => lister.waits(e)).map((e) => ({ pkgname: e.pkgname, pkgpath: indexValue(e, 'PKG_LOCATION') ?? '', entry: e }));
  io.stdout.write(`kiln fetch: ${wanted.length} of ${entries.length} packages may have distfiles; DISTDIR ${settings.distdir}\n`);
  const failed: string[] = [];
  const progress = new FetchProgress((line) => io.stdout.write(line));
  const ended = new Promise<void>((resolve) => {
    let left = wanted.length;
    const portEnded = (pkgname: string, result: PortFetchResult): void => {
      if (!result.ok) failed.push(`${pkgname}: ${result.reason}`);
      if (--left === 0) resolve();
    };
    if (left === 0) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
    const queue = new FetchQueue({
      distdir: settings.distdir, limits: settings.limits, lock: lockDistfile, signal: io.signal, portEnded,
      distfileStarted: (started) => progress.started(started),
      distfileEnded: ({ name, result, site, bytes, seconds }) => {
        progress.ended(name);
        io.stdout.write(result.ok
          ? (result.fetched ? `fetched ${name} from ${site}: ${bytes} bytes in ${seconds.toFixed(1)} s\n` : `have ${name}\n`)
          : `FAILED ${name}\n`);
      },
    });
    void lister.list(wanted, (pkgname, distfiles) => {
      if (distfiles.ok) queue.want([{ port: pkgname, requests: distfiles.requests }]);
      else portEnded(pkgname, distfiles);
    }, () => ({ ready: true, priority: 0 }), io.signal);
  });
  await ended.finally(() => progress.close());
  if (io.signal.aborted) return EXIT.interrupted;
  for (const line of failed.sort()) io.stderr.write(`kiln fetch: ${line}\n`);
  if (failed.length > 0) io.stderr.write(`kiln fetch: ${failed.length} package(s) miss distfiles\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

export const fetchCommand: Command = { name: 'fetch', summary: 'fetch and verify the distfiles of a tree (mirror mode)', help, run };
